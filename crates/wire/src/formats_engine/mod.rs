//! The Formats lab's heavy work as jobs and replies that cross a Web Worker's message port: the
//! Compare tab's encodings of a source document and the Decode tab's decoding of bytes.
//!
//! The page sends an [`EngineJob`] (postcard bytes, [`encode_job`]); the worker
//! (`src/net/formats_engine.rs`) runs it with an [`Engine`], which keeps the last compiled schema,
//! and sends back an [`EngineReply`] cut into parts ([`split`]) that the page reads one per task.
//! Bytes the page attached are not sent back: it has them ([`restore_attached`]). If the worker
//! cannot start, the page runs the same [`Engine`] itself. Everything here is plain Rust, tested
//! natively.

pub mod split;

/// Shared bytes as one byte string (serde's default is a sequence of numbers, read one by one).
pub(crate) mod rc_bytes {
    use std::rc::Rc;

    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &Rc<Vec<u8>>, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(bytes)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Rc<Vec<u8>>, D::Error> {
        serde_bytes::deserialize(deserializer).map(Rc::new)
    }
}

use std::rc::Rc;

use serde::{Deserialize, Serialize};

use crate::formats::convert::{Comparison, ProtobufChoice, compare};
use crate::formats::guess::Reading;
use crate::formats::protobuf::Schema;
use crate::formats::samples::SAMPLE_PROTO_NAME;
use crate::formats::{Decoded, Format, FormatError};
use crate::formats_lab::{DecodeOutcome, DecodeSource, parse_source};

/// How long each format's encode and decode timing may run, in milliseconds.
pub const TIMING_BUDGET_MS: f64 = 4.0;

/// The `.proto` text and the message type a job encodes and decodes Protobuf with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SchemaChoice {
    pub proto_source: String,
    pub message: String,
}

/// One piece of work.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum EngineJob {
    /// The Compare tab: `source` (JSON or XML) parsed and encoded in every format.
    Compare { source: String, format: Format, schema: SchemaChoice },
    /// The Decode tab: the bytes read as `choice` (or the likeliest reading).
    Decode { source: DecodeSource, choice: Option<Reading>, schema: SchemaChoice },
}

/// What the Compare tab shows for one source document.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CompareOutcome {
    /// The source parsed, or why it does not parse.
    pub parsed: Result<Decoded, FormatError>,
    /// Every format's encoding; empty while the source does not parse.
    pub comparisons: Vec<Comparison>,
    /// The schema's message type that fits the document best, if the schema compiles.
    pub fitting_message: Option<String>,
}

/// A job's answer.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum EngineReply {
    Compare(CompareOutcome),
    Decode(DecodeOutcome),
    /// The job could not be read (a page and a worker from different builds).
    Failed(String),
}

/// Runs jobs, compiling a schema only when its text changes.
#[derive(Default)]
pub struct Engine {
    schema: Option<(String, Rc<Result<Schema, FormatError>>)>,
}

impl Engine {
    pub fn new() -> Engine {
        Engine::default()
    }

    fn schema(&mut self, proto_source: &str) -> Rc<Result<Schema, FormatError>> {
        match &self.schema {
            Some((source, schema)) if source == proto_source => schema.clone(),
            _ => {
                let schema = Rc::new(Schema::compile(SAMPLE_PROTO_NAME, proto_source));
                self.schema = Some((proto_source.to_owned(), schema.clone()));
                schema
            }
        }
    }

    /// Does `job`; `clock` reads milliseconds for the encode and decode timings.
    pub fn run(&mut self, job: EngineJob, clock: &dyn Fn() -> f64) -> EngineReply {
        match job {
            EngineJob::Compare { source, format, schema } => {
                let compiled = self.schema(&schema.proto_source);
                let parsed = parse_source(&source, format);
                let (comparisons, fitting_message) = match &parsed {
                    Ok(decoded) => {
                        let choice = compiled
                            .as_ref()
                            .as_ref()
                            .ok()
                            .map(|schema_in_use| ProtobufChoice { schema: schema_in_use, message: &schema.message });
                        let fitting = compiled.as_ref().as_ref().ok().and_then(|s| s.guess_message(&decoded.document));
                        (compare(&decoded.document, choice, clock, TIMING_BUDGET_MS), fitting)
                    }
                    Err(_) => (Vec::new(), None),
                };
                EngineReply::Compare(CompareOutcome { parsed, comparisons, fitting_message })
            }
            EngineJob::Decode { source, choice, schema } => {
                let compiled = self.schema(&schema.proto_source);
                EngineReply::Decode(source.decode(choice, &compiled, &schema.message))
            }
        }
    }

    /// [`Engine::run`] on a job as bytes ([`encode_job`]), answered as a head and parts
    /// ([`split::SplitReader`] reads them), without the bytes the job attached.
    pub fn run_encoded(&mut self, job: &[u8], clock: &dyn Fn() -> f64) -> (Vec<u8>, Vec<Vec<u8>>) {
        let (mut reply, attached) = match postcard::from_bytes::<EngineJob>(job) {
            Ok(job) => {
                let attached = matches!(job, EngineJob::Decode { source: DecodeSource::Attached { .. }, .. });
                (self.run(job, clock), attached)
            }
            Err(error) => (EngineReply::Failed(format!("the formats engine could not read the job: {error}")), false),
        };
        if attached
            && let EngineReply::Decode(outcome) = &mut reply
            && let Ok(bytes) = &mut outcome.bytes
        {
            *bytes = Rc::new(Vec::new());
        }
        split::split(reply)
    }
}

/// Puts back the bytes `job` attached, which [`Engine::run_encoded`] leaves out of its reply.
pub fn restore_attached(job: &EngineJob, reply: &mut EngineReply) {
    if let (EngineJob::Decode { source: DecodeSource::Attached { bytes, .. }, .. }, EngineReply::Decode(outcome)) =
        (job, reply)
        && outcome.bytes.is_ok()
    {
        outcome.bytes = Ok(bytes.clone());
    }
}

/// A job as the bytes posted to the worker.
pub fn encode_job(job: &EngineJob) -> Vec<u8> {
    encode(job)
}

/// The worker's reply from its bytes.
pub fn decode_reply(bytes: &[u8]) -> Result<EngineReply, String> {
    match postcard::from_bytes(bytes) {
        Ok(EngineReply::Failed(why)) => Err(why),
        Ok(reply) => Ok(reply),
        Err(error) => Err(format!("the formats engine's reply could not be read: {error}")),
    }
}

pub(crate) fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    // postcard fails only on types it cannot carry (none here) or a full fixed buffer (a Vec
    // grows); say so in the reply rather than panic.
    postcard::to_allocvec(value).unwrap_or_else(|error| {
        postcard::to_allocvec(&EngineReply::Failed(format!("could not encode: {error}"))).unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::samples::SAMPLE_PROTO;
    use crate::formats_lab::FIRST_DECODE_INPUT;

    /// Milliseconds since the first call: the timings stop at their budget, as in the browser.
    fn clock() -> f64 {
        static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
        START.get_or_init(std::time::Instant::now).elapsed().as_secs_f64() * 1000.0
    }

    fn schema(message: &str) -> SchemaChoice {
        SchemaChoice { proto_source: SAMPLE_PROTO.to_owned(), message: message.to_owned() }
    }

    /// Runs `job` as the worker does (bytes in, head and parts out) and reads the reply as the
    /// page does.
    fn through_the_port(engine: &mut Engine, job: &EngineJob) -> Result<EngineReply, String> {
        let (head, parts) = engine.run_encoded(&encode_job(job), &clock);
        let mut reader = split::SplitReader::new(&head)?;
        for part in &parts {
            reader.read_part(part)?;
        }
        let mut reply = reader.finish()?;
        restore_attached(job, &mut reply);
        Ok(reply)
    }

    #[test]
    fn compare_jobs_cross_the_port_unchanged() {
        let cases: &[(&str, Format, &str, usize, Option<&str>)] = &[
            // source, format, message, formats that encode, parse error
            (r#"{"name":"Ada","id":7}"#, Format::Json, "wirelab.Contact", 5, None),
            ("<contact><name>Ada</name></contact>", Format::Xml, "wirelab.Contact", 5, None),
            (r#"{"name": }"#, Format::Json, "wirelab.Contact", 0, Some("line 1, column 10")),
            ("<open>", Format::Xml, "wirelab.Contact", 0, Some("line 1")),
        ];
        for &(source, format, message, encoded, error) in cases {
            let job = EngineJob::Compare { source: source.to_owned(), format, schema: schema(message) };
            let mut engine = Engine::new();
            let Ok(EngineReply::Compare(outcome)) = through_the_port(&mut engine, &job) else {
                panic!("{source}: not a Compare reply");
            };
            let EngineReply::Compare(direct) = Engine::new().run(job.clone(), &clock) else {
                panic!("{source}: direct run is not a Compare reply");
            };
            assert_eq!(outcome.parsed, direct.parsed, "{source}");
            assert_eq!(outcome.fitting_message, direct.fitting_message, "{source}");
            let shown: Vec<_> = outcome.comparisons.iter().map(|c| (c.format, c.wire_size, c.shown.clone())).collect();
            let expected: Vec<_> =
                direct.comparisons.iter().map(|c| (c.format, c.wire_size, c.shown.clone())).collect();
            assert_eq!(shown, expected, "{source}");
            assert_eq!(outcome.comparisons.iter().filter(|c| c.shown.is_ok()).count(), encoded, "{source}");
            match (error, &outcome.parsed) {
                (None, parsed) => assert!(parsed.is_ok(), "{source}: {parsed:?}"),
                (Some(place), Err(problem)) => assert!(problem.to_string().starts_with(place), "{source}: {problem}"),
                (Some(_), Ok(_)) => panic!("{source}: parsed, but should not"),
            }
        }
    }

    #[test]
    fn decode_jobs_cross_the_port_unchanged() {
        let cases: &[(&str, Option<Reading>, Reading, bool)] = &[
            // typed bytes, choice, reading used, decodes without error
            (FIRST_DECODE_INPUT, None, Reading::ProtobufSchemaless, true),
            // Not a Contact: field 3 is a nested message, not a uint32 age, and the error crosses too.
            (FIRST_DECODE_INPUT, Some(Reading::Protobuf), Reading::Protobuf, false),
            ("82 a1 61 01 a1 62 c3", None, Reading::MessagePack, true),
            ("a1 61 61 01", Some(Reading::Cbor), Reading::Cbor, true),
            ("7b 22 61 22 3a", Some(Reading::Json), Reading::Json, false),
            // A TLS alert record is guessed as TLS; a ClientHello cut short keeps what it read.
            ("15 03 03 00 02 02 28", None, Reading::Tls, true),
            ("16 03 01 00 30 01 00 00 2c 03 03", None, Reading::Tls, false),
        ];
        for &(typed, choice, used, clean) in cases {
            let job = EngineJob::Decode {
                source: DecodeSource::Typed(typed.to_owned()),
                choice,
                schema: schema("wirelab.Contact"),
            };
            let Ok(EngineReply::Decode(outcome)) = through_the_port(&mut Engine::new(), &job) else {
                panic!("{typed}: not a Decode reply");
            };
            let Some(decoding) = outcome.decoding else { panic!("{typed}: nothing decoded") };
            assert_eq!(outcome.reading, used, "{typed}");
            assert_eq!(decoding.error.is_none(), clean, "{typed}: {:?}", decoding.error);
            let EngineReply::Decode(direct) = Engine::new().run(job.clone(), &clock) else { panic!() };
            let direct = direct.decoding.expect("decodes directly too");
            assert_eq!(decoding.document, direct.document, "{typed}");
            assert_eq!(*decoding.map, *direct.map, "{typed}");
            assert_eq!(decoding.raw_text, direct.raw_text, "{typed}");
        }
    }

    #[test]
    fn attached_bytes_and_typing_errors_cross_too() {
        let attached = DecodeSource::Attached {
            name: "big.bin".into(),
            bytes: Rc::new(vec![0x82, 0xa1, 0x61, 1, 0xa1, 0x62, 0xc3]),
        };
        let job = EngineJob::Decode { source: attached, choice: None, schema: schema("wirelab.Contact") };
        let Ok(EngineReply::Decode(outcome)) = through_the_port(&mut Engine::new(), &job) else { panic!() };
        assert_eq!(outcome.bytes.map(|bytes| bytes.len()), Ok(7));

        let job = EngineJob::Decode { source: DecodeSource::Typed("zz".into()), choice: None, schema: schema("x") };
        let Ok(EngineReply::Decode(outcome)) = through_the_port(&mut Engine::new(), &job) else { panic!() };
        assert!(outcome.bytes.is_err_and(|why| why.starts_with("Base64 input")));
    }

    #[test]
    fn a_big_document_crosses_in_many_parts_and_comes_back_whole() {
        let sample = crate::formats::samples::all().into_iter().find(|sample| sample.name == "1,000 readings");
        let Some(sample) = sample else { panic!("the 1,000 readings sample is gone") };
        let job = EngineJob::Compare { source: sample.json, format: Format::Json, schema: schema(sample.message) };
        let (_, parts) = Engine::new().run_encoded(&encode_job(&job), &clock);
        assert!(parts.len() > 5, "{} parts", parts.len());
        let Ok(EngineReply::Compare(crossed)) = through_the_port(&mut Engine::new(), &job) else { panic!() };
        let EngineReply::Compare(direct) = Engine::new().run(job, &clock) else { panic!() };
        assert_eq!(crossed.parsed, direct.parsed);
        let maps = |outcome: &CompareOutcome| -> Vec<_> {
            outcome
                .comparisons
                .iter()
                .map(|c| c.shown.as_ref().map(|shown| (shown.bytes.clone(), shown.map.clone())).ok())
                .collect()
        };
        assert_eq!(maps(&crossed), maps(&direct));
    }

    #[test]
    fn a_schema_is_compiled_once_per_text_and_again_when_it_changes() {
        let mut engine = Engine::new();
        let first = engine.schema(SAMPLE_PROTO);
        assert!(Rc::ptr_eq(&first, &engine.schema(SAMPLE_PROTO)));
        let broken = engine.schema("syntax = \"proto3\"; message {");
        assert!(broken.is_err());
        assert!(!Rc::ptr_eq(&first, &engine.schema(SAMPLE_PROTO)));
    }

    #[test]
    fn unreadable_jobs_and_replies_are_errors_not_panics() {
        let cases: &[&[u8]] = &[b"", &[0xff, 0xff, 0xff], &[7]];
        for &bytes in cases {
            let (head, parts) = Engine::new().run_encoded(bytes, &clock);
            assert!(parts.is_empty());
            assert!(decode_reply(&head).is_err_and(|why| why.contains("could not read the job")), "{bytes:?}");
            assert!(decode_reply(bytes).is_err(), "{bytes:?}");
        }
    }
}
