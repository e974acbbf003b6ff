//! Packets as scapy and Wireshark see them: capture files read and written, each packet's layers
//! mapped to its bytes, TCP streams followed, packets crafted layer by layer, and whole sessions
//! the server saw written as captures with synthesized TCP/IP headers.
//!
//! - [`pcap_writer`]: packets (time and link-layer bytes) written as a classic `.pcap` file.
//! - [`capture`]: `.pcap` and `.pcapng` files read into a packet list.
//! - [`dissect`]: one packet's layers, every field mapped to its bytes.
//! - [`follow`]: "Follow TCP stream": a conversation's payloads put back in order.
//! - [`craft`]: a packet built layer by layer, lengths and checksums computed.
//! - [`synth`]: a session's payloads inside synthesized Ethernet/IPv4/TCP packets.

pub mod capture;
pub mod craft;
pub mod dissect;
pub mod follow;
pub mod pcap_writer;
pub mod synth;
