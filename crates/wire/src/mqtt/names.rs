//! The names of MQTT code points: MQTT 5 properties with their data types (§2.2.2.2), MQTT 5
//! reason codes (§2.4) and the 3.1.1 CONNACK return codes (§3.2.2.3).

use super::Version;

/// How a property's value is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum PropertyType {
    Byte,
    TwoByte,
    FourByte,
    Varint,
    Utf8,
    Binary,
    Pair,
}

const PROPERTIES: &[(u8, &str, PropertyType)] = &[
    (1, "Payload Format Indicator", PropertyType::Byte),
    (2, "Message Expiry Interval", PropertyType::FourByte),
    (3, "Content Type", PropertyType::Utf8),
    (8, "Response Topic", PropertyType::Utf8),
    (9, "Correlation Data", PropertyType::Binary),
    (11, "Subscription Identifier", PropertyType::Varint),
    (17, "Session Expiry Interval", PropertyType::FourByte),
    (18, "Assigned Client Identifier", PropertyType::Utf8),
    (19, "Server Keep Alive", PropertyType::TwoByte),
    (21, "Authentication Method", PropertyType::Utf8),
    (22, "Authentication Data", PropertyType::Binary),
    (23, "Request Problem Information", PropertyType::Byte),
    (24, "Will Delay Interval", PropertyType::FourByte),
    (25, "Request Response Information", PropertyType::Byte),
    (26, "Response Information", PropertyType::Utf8),
    (28, "Server Reference", PropertyType::Utf8),
    (31, "Reason String", PropertyType::Utf8),
    (33, "Receive Maximum", PropertyType::TwoByte),
    (34, "Topic Alias Maximum", PropertyType::TwoByte),
    (35, "Topic Alias", PropertyType::TwoByte),
    (36, "Maximum QoS", PropertyType::Byte),
    (37, "Retain Available", PropertyType::Byte),
    (38, "User Property", PropertyType::Pair),
    (39, "Maximum Packet Size", PropertyType::FourByte),
    (40, "Wildcard Subscription Available", PropertyType::Byte),
    (41, "Subscription Identifier Available", PropertyType::Byte),
    (42, "Shared Subscription Available", PropertyType::Byte),
];

/// A property's name: `17` → `Session Expiry Interval`.
pub fn property_name(id: u8) -> Option<&'static str> {
    PROPERTIES.iter().find(|(code, ..)| *code == id).map(|(_, name, _)| *name)
}

pub(super) fn property_type(id: u8) -> Option<PropertyType> {
    PROPERTIES.iter().find(|(code, ..)| *code == id).map(|(.., kind)| *kind)
}

/// `Session Expiry Interval` → `session_expiry_interval`: a property's key in the document.
pub(super) fn property_key(id: u8) -> String {
    match property_name(id) {
        Some(name) => name.to_ascii_lowercase().replace(' ', "_"),
        None => format!("property_{id}"),
    }
}

const REASONS: &[(u8, &str)] = &[
    (0x00, "Success"),
    (0x01, "Granted QoS 1"),
    (0x02, "Granted QoS 2"),
    (0x04, "Disconnect with Will Message"),
    (0x10, "No matching subscribers"),
    (0x11, "No subscription existed"),
    (0x18, "Continue authentication"),
    (0x19, "Re-authenticate"),
    (0x80, "Unspecified error"),
    (0x81, "Malformed Packet"),
    (0x82, "Protocol Error"),
    (0x83, "Implementation specific error"),
    (0x84, "Unsupported Protocol Version"),
    (0x85, "Client Identifier not valid"),
    (0x86, "Bad User Name or Password"),
    (0x87, "Not authorized"),
    (0x88, "Server unavailable"),
    (0x89, "Server busy"),
    (0x8a, "Banned"),
    (0x8b, "Server shutting down"),
    (0x8c, "Bad authentication method"),
    (0x8d, "Keep Alive timeout"),
    (0x8e, "Session taken over"),
    (0x8f, "Topic Filter invalid"),
    (0x90, "Topic Name invalid"),
    (0x91, "Packet Identifier in use"),
    (0x92, "Packet Identifier not found"),
    (0x93, "Receive Maximum exceeded"),
    (0x94, "Topic Alias invalid"),
    (0x95, "Packet too large"),
    (0x96, "Message rate too high"),
    (0x97, "Quota exceeded"),
    (0x98, "Administrative action"),
    (0x99, "Payload format invalid"),
    (0x9a, "Retain not supported"),
    (0x9b, "QoS not supported"),
    (0x9c, "Use another server"),
    (0x9d, "Server moved"),
    (0x9e, "Shared Subscriptions not supported"),
    (0x9f, "Connection rate exceeded"),
    (0xa0, "Maximum connect time"),
    (0xa1, "Subscription Identifiers not supported"),
    (0xa2, "Wildcard Subscriptions not supported"),
];

const CONNACK_V311: &[&str] = &[
    "Connection Accepted",
    "unacceptable protocol version",
    "identifier rejected",
    "server unavailable",
    "bad user name or password",
    "not authorized",
];

/// What a reason code (MQTT 5) means; in 3.1.1 only CONNACK's return codes and SUBACK's
/// granted QoS or failure (0x80) have names.
pub fn reason_name(version: Version, code: u8) -> &'static str {
    match version {
        Version::V5 => REASONS.iter().find(|(value, _)| *value == code).map_or("unknown reason code", |(_, name)| name),
        Version::V311 => match code {
            0x80 => "Failure",
            0 => "Success",
            1 => "Granted QoS 1",
            2 => "Granted QoS 2",
            _ => "unknown return code",
        },
    }
}

/// A CONNACK's code: the 3.1.1 return codes have their own names.
pub(super) fn connack_name(version: Version, code: u8) -> &'static str {
    match version {
        Version::V311 => CONNACK_V311.get(usize::from(code)).copied().unwrap_or("unknown return code"),
        Version::V5 => reason_name(version, code),
    }
}

/// Whether a CONNACK's code accepts the connection.
pub fn connack_accepted(code: u8) -> bool {
    code == 0
}

/// A CONNACK's code in words, for a refused connection: `5 (not authorized)`.
pub fn describe_connack(version: Version, code: u8) -> String {
    format!("{code} ({})", connack_name(version, code))
}
