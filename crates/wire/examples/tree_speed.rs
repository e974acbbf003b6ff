//! How fast `wire::tree` indexes large JSON bodies and draws the first screen of rows, so the response viewer's
//! budget (a 20 MB body must not freeze the tab) is checked with numbers. Run with
//! `cargo run --release -p wirelab-wire --example tree_speed`.

use std::time::Instant;

use wire::tree::{Expansion, Tree, visible_row_count, visible_rows};

/// An array of small objects, about `megabytes` MB of JSON.
fn document(megabytes: usize) -> String {
    let mut text = String::with_capacity(megabytes * 1_000_000 + 200);
    text.push('[');
    let mut index = 0usize;
    while text.len() < megabytes * 1_000_000 {
        if index > 0 {
            text.push_str(",\n");
        }
        text.push_str(&format!(
            r#"{{"id":{index},"name":"item \"{index}\"","price":{}.{:02},"tags":["new","sale"],"ok":{},"owner":null}}"#,
            index * 7 % 1000,
            index % 100,
            index.is_multiple_of(3)
        ));
        index += 1;
    }
    text.push(']');
    text
}

fn main() {
    for megabytes in [1, 5, 20] {
        let text = document(megabytes);
        let bytes = text.len();
        let started = Instant::now();
        let tree = match Tree::from_json(text) {
            Ok(tree) => tree,
            Err(error) => {
                println!("{megabytes} MB: {error}");
                continue;
            }
        };
        let indexed = started.elapsed();

        let started = Instant::now();
        let expansion = Expansion::root_only(&tree);
        let count = visible_row_count(&tree, &expansion);
        let rows = visible_rows(&tree, &expansion, 0..60, 80);
        let first_window = started.elapsed();

        // A window deep in the document with a few items open.
        let mut expansion = expansion;
        for item in [10usize, count / 2, count.saturating_sub(10)] {
            if let Some(node) = tree.child(tree.root(), item) {
                expansion.toggle(node);
            }
        }
        let started = Instant::now();
        let count_open = visible_row_count(&tree, &expansion);
        let middle = visible_rows(&tree, &expansion, count_open / 2..count_open / 2 + 60, 80);
        let middle_window = started.elapsed();

        println!(
            "{:>5.1} MB, {:>9} nodes: index {:>7.1} ms ({:>6.0} MB/s), first 60 rows {:>6.3} ms ({} rows), \
             60 rows mid-document with 3 items open {:>6.3} ms ({} rows)",
            bytes as f64 / 1e6,
            tree.node_count(),
            indexed.as_secs_f64() * 1e3,
            bytes as f64 / 1e6 / indexed.as_secs_f64(),
            first_window.as_secs_f64() * 1e3,
            rows.len(),
            middle_window.as_secs_f64() * 1e3,
            middle.len(),
        );
    }
}
