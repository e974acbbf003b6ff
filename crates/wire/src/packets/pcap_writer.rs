//! Packets written as a classic libpcap file (the format every reader opens: tshark, Wireshark,
//! scapy's `rdpcap`, tcpdump), through the `pcap-file` crate.

use std::time::Duration;

use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
use pcap_file::{DataLink, Endianness, TsResolution};

/// The largest packet a written file says it holds (tcpdump's default snapshot length).
pub const SNAPLEN: u32 = 262_144;

/// One packet to write: when it was seen and its bytes from the link layer up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimedPacket {
    /// Microseconds since the Unix epoch.
    pub at_us: u64,
    /// The frame, starting with its link-layer header (Ethernet unless the file says otherwise).
    pub bytes: Vec<u8>,
}

/// `packets` as a `.pcap` file with the given link type (microsecond timestamps, little-endian).
/// Packets longer than [`SNAPLEN`] are cut to it, their original length kept, as a capture does.
pub fn write_pcap(link: DataLink, packets: &[TimedPacket]) -> Vec<u8> {
    let header = PcapHeader {
        snaplen: SNAPLEN,
        datalink: link,
        ts_resolution: TsResolution::MicroSecond,
        endianness: Endianness::Little,
        ..PcapHeader::default()
    };
    let mut out = Vec::with_capacity(24 + packets.iter().map(|p| 16 + p.bytes.len()).sum::<usize>());
    // Writing into a Vec cannot fail, and every length is bounded by SNAPLEN below.
    let Ok(mut writer) = PcapWriter::with_header(&mut out, header) else {
        return out;
    };
    for packet in packets {
        let kept = packet.bytes.len().min(SNAPLEN as usize);
        let orig_len = u32::try_from(packet.bytes.len()).unwrap_or(u32::MAX);
        let record = PcapPacket::new(Duration::from_micros(packet.at_us), orig_len, &packet.bytes[..kept]);
        if writer.write_packet(&record).is_err() {
            break;
        }
    }
    out
}

/// [`write_pcap`] for Ethernet frames, the link type every packet this crate builds starts with.
pub fn write_ethernet_pcap(packets: &[TimedPacket]) -> Vec<u8> {
    write_pcap(DataLink::ETHERNET, packets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_file_reads_back_with_its_times_and_bytes() {
        let packets = vec![
            TimedPacket { at_us: 1_700_000_000_123_456, bytes: vec![1, 2, 3] },
            TimedPacket { at_us: 1_700_000_001_000_000, bytes: vec![0xff; 70] },
        ];
        let file = write_ethernet_pcap(&packets);
        assert_eq!(&file[..4], &[0xd4, 0xc3, 0xb2, 0xa1], "little-endian microsecond magic");
        let Ok(mut reader) = pcap_file::pcap::PcapReader::new(&file[..]) else {
            panic!("the file must open");
        };
        let mut read = Vec::new();
        while let Some(Ok(packet)) = reader.next_packet() {
            read.push(TimedPacket { at_us: packet.timestamp.as_micros() as u64, bytes: packet.data.into_owned() });
        }
        assert_eq!(read, packets);
    }
}
