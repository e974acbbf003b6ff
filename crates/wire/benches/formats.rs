//! Criterion benchmarks of the Formats lab's encoders and decoders in MB/s, next to the plain
//! libraries as native reference peers: prost's generated types for Protobuf and serde_json on a
//! `serde_json::Value` for JSON, so the cost of the lab's document model (spans, byte maps) shows.
//! Run with `cargo bench -p wirelab-wire --bench formats` (a few minutes).

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::hint::black_box;
    use std::time::Duration;

    use criterion::{BenchmarkGroup, Criterion, Throughput, measurement::WallTime};
    use prost::Message;
    use prost_reflect::{DescriptorPool, DynamicMessage};
    use wire::formats::convert::{self, ProtobufChoice};
    use wire::formats::json::Style;
    use wire::formats::protobuf::Schema;
    use wire::formats::sample_messages::{ReadingBatch, SensorReading};
    use wire::formats::samples::{self, Sample};
    use wire::formats::throughput::WORKLOADS;
    use wire::formats::{Format, Node, json};

    pub fn main() {
        let mut criterion = Criterion::default()
            .measurement_time(Duration::from_secs(2))
            .warm_up_time(Duration::from_millis(500))
            .sample_size(20)
            .configure_from_args();
        let schema = Schema::sample();
        let pool = match reference_pool() {
            Ok(pool) => Some(pool),
            Err(error) => {
                eprintln!("formats bench: no prost peer: {error}");
                None
            }
        };
        let all_samples = samples::all();
        for workload in WORKLOADS {
            let Some(sample) = all_samples.iter().find(|sample| sample.name == workload) else {
                eprintln!("formats bench: no sample named {workload}");
                continue;
            };
            let document = match json::parse(&sample.json) {
                Ok(decoded) => decoded.document,
                Err(error) => {
                    eprintln!("formats bench: {workload} does not parse: {error}");
                    continue;
                }
            };
            bench_workload(&mut criterion, sample, &document, &schema, pool.as_ref());
        }
        criterion.final_summary();
    }

    /// The sample schema compiled independently of the lab's `Schema`, to build the prost values.
    fn reference_pool() -> Result<DescriptorPool, String> {
        let proto_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../www/proto");
        let files = protox::compile([samples::SAMPLE_PROTO_NAME], [proto_dir]).map_err(|error| error.to_string())?;
        DescriptorPool::from_file_descriptor_set(files).map_err(|error| error.to_string())
    }

    /// A prost value of type `M` holding the sample's data, read from its JSON by prost-reflect
    /// (the canonical Protobuf JSON mapping), not by the lab's code under test.
    fn prost_value<M: Message + Default>(pool: &DescriptorPool, sample: &Sample) -> Result<M, String> {
        let descriptor = pool
            .get_message_by_name(sample.message)
            .ok_or_else(|| format!("the schema has no message {}", sample.message))?;
        let mut deserializer = serde_json::Deserializer::from_str(&sample.json);
        let dynamic = DynamicMessage::deserialize(descriptor, &mut deserializer).map_err(|error| error.to_string())?;
        M::decode(dynamic.encode_to_vec().as_slice()).map_err(|error| error.to_string())
    }

    /// A short name for file paths and the report: "sensor-reading", "1000-readings".
    fn slug(workload: &str) -> String {
        workload.to_lowercase().replace(',', "").replace(' ', "-")
    }

    fn bench_workload(
        criterion: &mut Criterion,
        sample: &Sample,
        document: &Node,
        schema: &Schema,
        pool: Option<&DescriptorPool>,
    ) {
        let slug = slug(sample.name);
        let protobuf = Some(ProtobufChoice { schema, message: sample.message });

        let mut encodings = Vec::new();
        let mut group = criterion.benchmark_group(format!("encode/{slug}"));
        for format in Format::ALL {
            let encoded = match convert::encode(document, format, Style::Compact, protobuf) {
                Ok(encoded) => encoded.bytes,
                Err(error) => {
                    eprintln!("formats bench: {format} does not encode {}: {error}", sample.name);
                    continue;
                }
            };
            group.throughput(Throughput::BytesDecimal(encoded.len() as u64));
            group.bench_function(format.label(), |bencher| {
                bencher.iter(|| convert::encode(black_box(document), format, Style::Compact, protobuf))
            });
            encodings.push((format, encoded));
        }
        let json_value = serde_json::from_str::<serde_json::Value>(&sample.json).ok();
        if let Some(value) = &json_value
            && let Ok(bytes) = serde_json::to_vec(value)
        {
            group.throughput(Throughput::BytesDecimal(bytes.len() as u64));
            group.bench_function("serde_json", |bencher| bencher.iter(|| serde_json::to_vec(black_box(value))));
        }
        let peer = pool.map(|pool| prost_peer(pool, sample));
        if let Some(Err(error)) = &peer {
            eprintln!("formats bench: no prost peer for {}: {error}", sample.name);
        }
        let peer = peer.and_then(Result::ok);
        if let Some(peer) = &peer {
            peer.bench_encode(&mut group);
        }
        group.finish();

        let mut group = criterion.benchmark_group(format!("decode/{slug}"));
        for (format, bytes) in &encodings {
            if let Err(error) = convert::decode(bytes, *format, protobuf) {
                eprintln!("formats bench: {format} does not decode its own {}: {error}", sample.name);
                continue;
            }
            group.throughput(Throughput::BytesDecimal(bytes.len() as u64));
            group.bench_function(format.label(), |bencher| {
                bencher.iter(|| convert::decode(black_box(bytes), *format, protobuf))
            });
        }
        if let Some(value) = &json_value
            && let Ok(bytes) = serde_json::to_vec(value)
        {
            group.throughput(Throughput::BytesDecimal(bytes.len() as u64));
            group.bench_function("serde_json", |bencher| {
                bencher.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(&bytes)))
            });
        }
        if let Some(peer) = &peer {
            peer.bench_decode(&mut group);
        }
        group.finish();
    }

    /// The prost value for a workload, of whichever generated type its message is.
    enum ProstPeer {
        Reading(SensorReading),
        Batch(ReadingBatch),
    }

    fn prost_peer(pool: &DescriptorPool, sample: &Sample) -> Result<ProstPeer, String> {
        match sample.message {
            "wirelab.SensorReading" => prost_value(pool, sample).map(ProstPeer::Reading),
            "wirelab.ReadingBatch" => prost_value(pool, sample).map(ProstPeer::Batch),
            other => Err(format!("no generated type wired up for {other}")),
        }
    }

    impl ProstPeer {
        fn bench_encode(&self, group: &mut BenchmarkGroup<'_, WallTime>) {
            match self {
                ProstPeer::Reading(value) => bench_prost_encode(group, value),
                ProstPeer::Batch(value) => bench_prost_encode(group, value),
            }
        }

        fn bench_decode(&self, group: &mut BenchmarkGroup<'_, WallTime>) {
            match self {
                ProstPeer::Reading(value) => bench_prost_decode(group, value),
                ProstPeer::Batch(value) => bench_prost_decode(group, value),
            }
        }
    }

    fn bench_prost_encode<M: Message>(group: &mut BenchmarkGroup<'_, WallTime>, value: &M) {
        group.throughput(Throughput::BytesDecimal(value.encoded_len() as u64));
        group.bench_function("prost", |bencher| bencher.iter(|| black_box(value).encode_to_vec()));
    }

    fn bench_prost_decode<M: Message + Default>(group: &mut BenchmarkGroup<'_, WallTime>, value: &M) {
        let bytes = value.encode_to_vec();
        group.throughput(Throughput::BytesDecimal(bytes.len() as u64));
        group.bench_function("prost", |bencher| bencher.iter(|| M::decode(black_box(bytes.as_slice()))));
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    native::main();
}

/// Criterion is a native dev-dependency; built for wasm32 (clippy --all-targets) this does nothing.
#[cfg(target_arch = "wasm32")]
fn main() {}
