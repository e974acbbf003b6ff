//! The client side of an MQTT session: packet identifiers, QoS 1 and 2 messages in flight both
//! ways (PUBLISH → PUBACK; PUBLISH → PUBREC → PUBREL → PUBCOMP), the answers the client owes
//! the broker, and when a PINGREQ is due. Plus the [`SequenceLog`]: which packets belong to one
//! QoS 1 or 2 exchange, for the sequence diagram.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::names::{connack_accepted, describe_connack, reason_name};
use super::{
    Ack, Packet, PacketType, PropertyValue, Publish, QoS, Subscribe, SubscribeOptions, Unsubscribe, Version, property,
};

/// Which way a packet went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Direction {
    /// Client to broker.
    Sent,
    /// Broker to client.
    Received,
}

impl Direction {
    pub fn arrow(self) -> &'static str {
        match self {
            Direction::Sent => "→",
            Direction::Received => "←",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Direction::Sent => "sent",
            Direction::Received => "received",
        }
    }

    fn opposite(self) -> Direction {
        match self {
            Direction::Sent => Direction::Received,
            Direction::Received => Direction::Sent,
        }
    }
}

/// Where one of the client's QoS 1 or 2 messages is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stage {
    AwaitingPuback,
    AwaitingPubrec,
    /// PUBREL sent.
    AwaitingPubcomp,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outgoing {
    pub topic: String,
    pub qos: QoS,
    pub stage: Stage,
}

/// What a packet from the broker meant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    Connected {
        session_present: bool,
        assigned_client_id: Option<String>,
        server_keep_alive_s: Option<u16>,
    },
    Refused {
        code: u8,
        reason: String,
    },
    /// An application message to show. A QoS 2 message sent again before its PUBREL is not
    /// delivered twice.
    Message(Publish),
    /// One of the client's messages is done: PUBACK (QoS 1) or PUBCOMP (QoS 2).
    Delivered {
        packet_id: u16,
        topic: String,
        qos: QoS,
    },
    /// The broker answered a SUBSCRIBE: each filter and its code (granted QoS, or ≥ 0x80).
    Subscribed(Vec<(String, u8)>),
    Unsubscribed(Vec<String>),
    Pong,
    /// The broker closes the session (MQTT 5 DISCONNECT), with its reason.
    BrokerDisconnect(String),
    /// A step of an exchange that needs no showing (a PUBREC answered, a PUBREL completed).
    Step,
    /// The broker broke the protocol; the words say how.
    Violation(String),
}

/// A received packet's meaning and the packets the client must send in answer, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reaction {
    pub outcome: Outcome,
    pub replies: Vec<Packet>,
}

impl Reaction {
    fn only(outcome: Outcome) -> Reaction {
        Reaction { outcome, replies: Vec::new() }
    }
}

/// One session's bookkeeping, from CONNECT to the connection's end.
#[derive(Clone, Debug, PartialEq)]
pub struct Session {
    pub version: Version,
    /// 0 turns keep-alive off.
    pub keep_alive_s: u16,
    pub connected: bool,
    last_id: u16,
    outgoing: BTreeMap<u16, Outgoing>,
    /// The broker's QoS 2 messages answered with PUBREC and waiting for its PUBREL.
    incoming_qos2: BTreeSet<u16>,
    pending_subscribes: BTreeMap<u16, Vec<String>>,
    pending_unsubscribes: BTreeMap<u16, Vec<String>>,
    last_sent_ms: f64,
    ping_sent_ms: Option<f64>,
}

impl Session {
    pub fn new(version: Version, keep_alive_s: u16) -> Session {
        Session {
            version,
            keep_alive_s,
            connected: false,
            last_id: 0,
            outgoing: BTreeMap::new(),
            incoming_qos2: BTreeSet::new(),
            pending_subscribes: BTreeMap::new(),
            pending_unsubscribes: BTreeMap::new(),
            last_sent_ms: 0.0,
            ping_sent_ms: None,
        }
    }

    /// The next free packet identifier: 1 to 65,535, wrapping, never one still in use.
    /// `None` when all 65,535 are.
    fn next_id(&mut self) -> Option<u16> {
        let mut candidate = self.last_id;
        for _ in 0..u16::MAX {
            candidate = if candidate == u16::MAX { 1 } else { candidate + 1 };
            let in_use = self.outgoing.contains_key(&candidate)
                || self.pending_subscribes.contains_key(&candidate)
                || self.pending_unsubscribes.contains_key(&candidate);
            if !in_use {
                self.last_id = candidate;
                return Some(candidate);
            }
        }
        None
    }

    /// A PUBLISH to send; a QoS 1 or 2 one gets an identifier and is in flight until answered.
    pub fn publish(&mut self, topic: &str, payload: Vec<u8>, qos: QoS, retain: bool) -> Result<Publish, String> {
        let packet_id = match qos {
            QoS::AtMostOnce => None,
            _ => Some(self.next_id().ok_or("all 65,535 packet identifiers are in flight")?),
        };
        if let Some(id) = packet_id {
            let stage = if qos == QoS::AtLeastOnce { Stage::AwaitingPuback } else { Stage::AwaitingPubrec };
            self.outgoing.insert(id, Outgoing { topic: topic.to_owned(), qos, stage });
        }
        Ok(Publish { topic: topic.to_owned(), qos, retain, dup: false, packet_id, properties: Vec::new(), payload })
    }

    pub fn subscribe(&mut self, filters: &[(String, QoS)]) -> Result<Subscribe, String> {
        let packet_id = self.next_id().ok_or("all 65,535 packet identifiers are in flight")?;
        self.pending_subscribes.insert(packet_id, filters.iter().map(|(filter, _)| filter.clone()).collect());
        let filters = filters.iter().map(|(filter, qos)| (filter.clone(), SubscribeOptions::qos(*qos))).collect();
        Ok(Subscribe { packet_id, filters, properties: Vec::new() })
    }

    pub fn unsubscribe(&mut self, filters: &[String]) -> Result<Unsubscribe, String> {
        let packet_id = self.next_id().ok_or("all 65,535 packet identifiers are in flight")?;
        self.pending_unsubscribes.insert(packet_id, filters.to_vec());
        Ok(Unsubscribe { packet_id, filters: filters.to_vec(), properties: Vec::new() })
    }

    /// Records that bytes went out at `now_ms` (keep-alive counts from the last packet sent).
    pub fn sent(&mut self, packet: &Packet, now_ms: f64) {
        self.last_sent_ms = now_ms;
        if matches!(packet, Packet::Pingreq) {
            self.ping_sent_ms = Some(now_ms);
        }
    }

    /// Whether a PINGREQ should go now: keep-alive is on, nothing was sent for that long, and no
    /// PINGREQ is waiting for its answer.
    pub fn ping_due(&self, now_ms: f64) -> bool {
        self.connected
            && self.keep_alive_s > 0
            && self.ping_sent_ms.is_none()
            && now_ms - self.last_sent_ms >= f64::from(self.keep_alive_s) * 1000.0
    }

    /// Whether a PINGREQ has gone unanswered for a whole keep-alive period: the connection is
    /// as good as dead (§3.1.2.10 lets the client close it).
    pub fn ping_overdue(&self, now_ms: f64) -> bool {
        self.ping_sent_ms.is_some_and(|sent| now_ms - sent >= f64::from(self.keep_alive_s.max(1)) * 1000.0)
    }

    /// The client's messages still waiting for an answer, by packet identifier.
    pub fn in_flight(&self) -> &BTreeMap<u16, Outgoing> {
        &self.outgoing
    }

    /// The broker's QoS 2 messages waiting for their PUBREL.
    pub fn awaiting_release(&self) -> &BTreeSet<u16> {
        &self.incoming_qos2
    }

    /// What `packet`, from the broker, means, and what the client must answer.
    pub fn receive(&mut self, packet: &Packet) -> Reaction {
        match packet {
            Packet::Connack(connack) => {
                if connack_accepted(connack.code) {
                    self.connected = true;
                    let mut assigned_client_id = None;
                    let mut server_keep_alive_s = None;
                    for property in &connack.properties {
                        match (property.id, &property.value) {
                            (property::ASSIGNED_CLIENT_IDENTIFIER, PropertyValue::Utf8(id)) => {
                                assigned_client_id = Some(id.clone())
                            }
                            (property::SERVER_KEEP_ALIVE, PropertyValue::TwoByte(seconds)) => {
                                server_keep_alive_s = Some(*seconds);
                                self.keep_alive_s = *seconds;
                            }
                            _ => {}
                        }
                    }
                    Reaction::only(Outcome::Connected {
                        session_present: connack.session_present,
                        assigned_client_id,
                        server_keep_alive_s,
                    })
                } else {
                    Reaction::only(Outcome::Refused {
                        code: connack.code,
                        reason: describe_connack(self.version, connack.code),
                    })
                }
            }
            Packet::Publish(publish) => self.receive_publish(publish),
            Packet::Pubrel(ack) => {
                // Answered even for an identifier not known (a session resumed): §4.3.3.
                self.incoming_qos2.remove(&ack.packet_id);
                Reaction { outcome: Outcome::Step, replies: vec![Packet::Pubcomp(Ack::success(ack.packet_id))] }
            }
            Packet::Puback(ack) => self.complete(ack, QoS::AtLeastOnce, Stage::AwaitingPuback, PacketType::Puback),
            Packet::Pubcomp(ack) => self.complete(ack, QoS::ExactlyOnce, Stage::AwaitingPubcomp, PacketType::Pubcomp),
            Packet::Pubrec(ack) => match self.outgoing.get_mut(&ack.packet_id) {
                Some(outgoing)
                    if outgoing.stage == Stage::AwaitingPubrec || outgoing.stage == Stage::AwaitingPubcomp =>
                {
                    if ack.reason >= 0x80 {
                        let outgoing = self.outgoing.remove(&ack.packet_id);
                        return Reaction::only(Outcome::Violation(format!(
                            "the broker refused message {} on {:?}: {}",
                            ack.packet_id,
                            outgoing.map(|outgoing| outgoing.topic).unwrap_or_default(),
                            reason_name(self.version, ack.reason)
                        )));
                    }
                    outgoing.stage = Stage::AwaitingPubcomp;
                    Reaction { outcome: Outcome::Step, replies: vec![Packet::Pubrel(Ack::success(ack.packet_id))] }
                }
                _ => Reaction::only(Outcome::Violation(format!(
                    "PUBREC for packet identifier {}, which has no QoS 2 message waiting",
                    ack.packet_id
                ))),
            },
            Packet::Suback(ack) => match self.pending_subscribes.remove(&ack.packet_id) {
                Some(filters) => {
                    let codes = filters.into_iter().zip(ack.codes.iter().copied().chain(std::iter::repeat(0x80)));
                    Reaction::only(Outcome::Subscribed(codes.collect()))
                }
                None => Reaction::only(Outcome::Violation(format!(
                    "SUBACK for packet identifier {}, which no SUBSCRIBE used",
                    ack.packet_id
                ))),
            },
            Packet::Unsuback(ack) => match self.pending_unsubscribes.remove(&ack.packet_id) {
                Some(filters) => Reaction::only(Outcome::Unsubscribed(filters)),
                None => Reaction::only(Outcome::Violation(format!(
                    "UNSUBACK for packet identifier {}, which no UNSUBSCRIBE used",
                    ack.packet_id
                ))),
            },
            Packet::Pingresp => {
                self.ping_sent_ms = None;
                Reaction::only(Outcome::Pong)
            }
            Packet::Disconnect(reasoned) => {
                self.connected = false;
                Reaction::only(Outcome::BrokerDisconnect(format!(
                    "0x{:02x} {}",
                    reasoned.reason,
                    reason_name(self.version, reasoned.reason)
                )))
            }
            Packet::Auth(_) => {
                Reaction::only(Outcome::Violation("AUTH: this client does not do enhanced authentication".into()))
            }
            Packet::Connect(_) | Packet::Subscribe(_) | Packet::Unsubscribe(_) | Packet::Pingreq => {
                Reaction::only(Outcome::Violation(format!("a broker never sends {}", packet.packet_type())))
            }
        }
    }

    fn receive_publish(&mut self, publish: &Publish) -> Reaction {
        match (publish.qos, publish.packet_id) {
            (QoS::AtMostOnce, _) => Reaction::only(Outcome::Message(publish.clone())),
            (QoS::AtLeastOnce, Some(id)) => {
                Reaction { outcome: Outcome::Message(publish.clone()), replies: vec![Packet::Puback(Ack::success(id))] }
            }
            (QoS::ExactlyOnce, Some(id)) => {
                let first_time = self.incoming_qos2.insert(id);
                Reaction {
                    outcome: if first_time { Outcome::Message(publish.clone()) } else { Outcome::Step },
                    replies: vec![Packet::Pubrec(Ack::success(id))],
                }
            }
            (_, None) => Reaction::only(Outcome::Violation("a QoS 1 or 2 PUBLISH without a packet identifier".into())),
        }
    }

    fn complete(&mut self, ack: &Ack, qos: QoS, stage: Stage, kind: PacketType) -> Reaction {
        match self.outgoing.get(&ack.packet_id) {
            Some(outgoing) if outgoing.qos == qos && outgoing.stage == stage => {
                let topic = outgoing.topic.clone();
                self.outgoing.remove(&ack.packet_id);
                if ack.reason >= 0x80 {
                    return Reaction::only(Outcome::Violation(format!(
                        "the broker refused message {} on {topic:?}: {}",
                        ack.packet_id,
                        reason_name(self.version, ack.reason)
                    )));
                }
                Reaction::only(Outcome::Delivered { packet_id: ack.packet_id, topic, qos })
            }
            _ => Reaction::only(Outcome::Violation(format!(
                "{kind} for packet identifier {}, which has no {qos} message waiting for it",
                ack.packet_id
            ))),
        }
    }
}

/// One QoS 1 or 2 exchange: the PUBLISH and its acknowledgements, as indexes into the packet
/// list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exchange {
    /// Who sent the PUBLISH.
    pub publisher: Direction,
    pub packet_id: u16,
    pub qos: QoS,
    pub topic: String,
    pub steps: Vec<(Direction, PacketType, usize)>,
    pub complete: bool,
}

impl Exchange {
    /// `QoS 2 → wirelab/a (id 3)`.
    pub fn title(&self) -> String {
        let who = match self.publisher {
            Direction::Sent => "client publishes",
            Direction::Received => "broker delivers",
        };
        format!("{} · {who} {:?} · packet id {}", self.qos, self.topic, self.packet_id)
    }
}

/// The exchanges of a session, in the order their PUBLISH went.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SequenceLog {
    pub exchanges: Vec<Exchange>,
}

impl SequenceLog {
    /// Files packet `index` of the packet list: a QoS 1 or 2 PUBLISH opens an exchange, its
    /// acknowledgements join the open one with the same identifier. Returns the exchange's
    /// index.
    pub fn record(&mut self, index: usize, direction: Direction, packet: &Packet) -> Option<usize> {
        let kind = packet.packet_type();
        match packet {
            Packet::Publish(publish) => {
                let packet_id = publish.packet_id?;
                self.exchanges.push(Exchange {
                    publisher: direction,
                    packet_id,
                    qos: publish.qos,
                    topic: publish.topic.clone(),
                    steps: vec![(direction, kind, index)],
                    complete: false,
                });
                Some(self.exchanges.len() - 1)
            }
            Packet::Puback(ack) | Packet::Pubrec(ack) | Packet::Pubrel(ack) | Packet::Pubcomp(ack) => {
                // PUBREL goes the way the PUBLISH went; the others come back.
                let publisher = if kind == PacketType::Pubrel { direction } else { direction.opposite() };
                let position = self.exchanges.iter().rposition(|exchange| {
                    !exchange.complete && exchange.publisher == publisher && exchange.packet_id == ack.packet_id
                })?;
                let exchange = &mut self.exchanges[position];
                exchange.steps.push((direction, kind, index));
                exchange.complete = matches!(kind, PacketType::Puback | PacketType::Pubcomp);
                Some(position)
            }
            _ => None,
        }
    }

    /// The exchange packet `index` belongs to.
    pub fn exchange_of(&self, index: usize) -> Option<usize> {
        self.exchanges.iter().position(|exchange| exchange.steps.iter().any(|(_, _, at)| *at == index))
    }

    pub fn clear(&mut self) {
        self.exchanges.clear();
    }
}
