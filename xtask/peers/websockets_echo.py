"""Why this file exists: the Python `websockets` echo server that `cargo xtask bench-server`
compares wirelab-server with (xtask/src/bench_server.rs installs the package and starts this).

Usage: python3 websockets_echo.py --port 0   (prints "listening on HOST:PORT")
Compression (permessage-deflate) is off, keepalive pings are off, messages up to 16 MiB.
"""

import argparse
import asyncio

from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed


async def echo(websocket):
    try:
        async for message in websocket:
            await websocket.send(message)
    except ConnectionClosed:
        pass


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    async with serve(
        echo,
        args.host,
        args.port,
        compression=None,
        ping_interval=None,
        max_size=16 * 1024 * 1024,
    ) as server:
        host, port = server.sockets[0].getsockname()[:2]
        print(f"listening on {host}:{port}", flush=True)
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
