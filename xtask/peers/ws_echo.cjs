// Why this file exists: the Node `ws` echo server that `cargo xtask bench-server` compares
// wirelab-server with (xtask/src/bench_server.rs installs `ws` and starts this with NODE_PATH).
//
// Usage: node ws_echo.cjs --port 0   (prints "listening on HOST:PORT")
// Compression (permessage-deflate) is off, messages up to 16 MiB.
'use strict';

const { WebSocketServer } = require('ws');

function option(name, fallback) {
  const at = process.argv.indexOf(name);
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
}

const host = option('--host', '127.0.0.1');
const port = Number(option('--port', '0'));
const server = new WebSocketServer({
  host,
  port,
  perMessageDeflate: false,
  maxPayload: 16 * 1024 * 1024,
  clientTracking: false,
});
server.on('listening', () => {
  const address = server.address();
  console.log(`listening on ${address.address}:${address.port}`);
});
server.on('connection', (socket) => {
  socket.on('error', () => {});
  socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
});
