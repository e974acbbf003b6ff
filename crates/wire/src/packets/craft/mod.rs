//! A packet crafted layer by layer, the part of scapy a browser can do: Ethernet II, IPv4, TCP or
//! UDP and a payload typed as text, hex or base64, with the lengths and checksums computed (or
//! set by hand on purpose, and then marked), shown as bytes mapped to the fields, saved as a
//! `.pcap` and written out as a scapy program.
//!
//! - [`form`]: [`CraftForm`] as typed, its [`CraftEdit`]s, and [`CraftForm::check`]: a
//!   [`CraftSpec`] or every [`FieldProblem`], each message naming its field.
//! - [`build`]: [`CraftSpec::build`], the frame's bytes through etherparse's headers, its
//!   [`ByteMap`](crate::formats::ByteMap) (paths from [`field_path`]) and the [`Computed`] values.
//! - [`presets`]: a DNS query over UDP, a TCP SYN, an HTTP GET segment.
//! - [`scapy`]: the same packet as a scapy program.
//!
//! The tab shows the built frame as [`super::dissect`] reads it back ([`Crafted::read_back`]):
//! the layers a receiver sees, with checksums verified by a reader that did not write them.
//! [`field_path`] names each field as that reader does, so a form field lights its bytes there
//! ([`Control::lit_path`]) and a pointed byte finds its form field.

pub mod build;
pub mod form;
pub mod presets;
pub mod scapy;

pub use build::{Computed, Crafted, field_path, toggle_path};
pub use form::{CraftEdit, CraftField, CraftForm, CraftSpec, FieldProblem, Layer, PayloadKind, Toggle, Transport};
pub use presets::Preset;

use pcap_file::DataLink;

use super::dissect::{Dissection, dissect_frame};
use super::pcap_writer::{TimedPacket, write_ethernet_pcap};
use crate::formats::{Node, Path, Value};

/// One control of the form: a typed field or an on/off choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Control {
    Field(CraftField),
    Toggle(Toggle),
}

impl Control {
    /// The bytes the control sets, as a path of the read-back document `read` (the payload is
    /// whatever layer the reader found above the transport: `dns`, `http`, `payload`).
    pub fn lit_path(self, transport: Transport, read: &Node) -> Path {
        match self {
            Control::Field(CraftField::Payload) | Control::Toggle(Toggle::CrLf) => payload_path(read),
            Control::Field(field) => field_path(field, transport),
            Control::Toggle(toggle) => toggle_path(toggle),
        }
    }
}

/// The top-level key after the transport layer in a read-back document, or `payload`.
pub fn payload_path(read: &Node) -> Path {
    let Value::Map(entries) = &read.value else { return Path::root().key("payload") };
    let after = entries.iter().skip_while(|entry| entry.key != "tcp" && entry.key != "udp").nth(1);
    Path::root().key(after.map_or("payload", |entry| entry.key.as_str()))
}

impl CraftForm {
    /// The form checked and built.
    pub fn craft(&self) -> Result<Crafted, Vec<FieldProblem>> {
        self.check().map(|spec| spec.build())
    }

    /// The scapy program that builds the same packet and writes it to [`pcap_file_name`].
    pub fn scapy(&self) -> Result<String, Vec<FieldProblem>> {
        let spec = self.check()?;
        let crafted = spec.build();
        Ok(scapy::scapy_program(&spec, &crafted, &pcap_file_name(self.transport)))
    }
}

impl Crafted {
    /// The frame as a one-packet `.pcap` (Ethernet), seen at `at_us` microseconds since the epoch.
    pub fn pcap(&self, at_us: u64) -> Vec<u8> {
        write_ethernet_pcap(&[TimedPacket { at_us, bytes: self.bytes.clone() }])
    }

    /// The frame as a receiver reads it ([`dissect_frame`] on Ethernet).
    pub fn read_back(&self) -> Dissection {
        dissect_frame(DataLink::ETHERNET, &self.bytes)
    }
}

/// `crafted-udp.pcap` or `crafted-tcp.pcap`.
pub fn pcap_file_name(transport: Transport) -> String {
    format!("crafted-{}.pcap", transport.label().to_ascii_lowercase())
}
