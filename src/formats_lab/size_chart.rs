//! The formats' sizes as an SVG bar chart: bytes on the wire, and after gzip, per format.

use wire::formats::Format;
use wire::units::format_bytes;
use yew::prelude::*;

#[derive(Clone, Debug, PartialEq)]
pub struct SizeBar {
    pub format: Format,
    pub wire_size: usize,
    pub gzip_size: usize,
}

#[derive(Properties, PartialEq)]
pub struct SizeChartProps {
    pub bars: Vec<SizeBar>,
}

const LABEL_WIDTH: f64 = 110.0;
const BAR_AREA: f64 = 420.0;
const ROW_HEIGHT: f64 = 30.0;

#[function_component(SizeChart)]
pub fn size_chart(props: &SizeChartProps) -> Html {
    let largest = props.bars.iter().map(|bar| bar.wire_size.max(bar.gzip_size)).max().unwrap_or(0).max(1) as f64;
    let height = ROW_HEIGHT * props.bars.len() as f64 + 24.0;
    let summary = props
        .bars
        .iter()
        .map(|bar| {
            format!(
                "{} {} ({} gzipped)",
                bar.format,
                format_bytes(bar.wire_size as u64),
                format_bytes(bar.gzip_size as u64)
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let rows = props.bars.iter().enumerate().map(|(row, bar)| {
        let y = row as f64 * ROW_HEIGHT;
        let wire_width = (bar.wire_size as f64 / largest * BAR_AREA).max(1.0);
        let gzip_width = (bar.gzip_size as f64 / largest * BAR_AREA).max(1.0);
        html! {
            <g transform={format!("translate(0 {y})")}>
                <text x={(LABEL_WIDTH - 8.0).to_string()} y="15" text-anchor="end" class="chart-label">{bar.format.label()}</text>
                <rect x={LABEL_WIDTH.to_string()} y="3" height="11" width={wire_width.to_string()} rx="2" class="bar-wire" />
                <rect x={LABEL_WIDTH.to_string()} y="16" height="8" width={gzip_width.to_string()} rx="2" class="bar-gzip" />
                <text x={(LABEL_WIDTH + wire_width + 6.0).to_string()} y="13" class="chart-value">
                    {format_bytes(bar.wire_size as u64)}
                </text>
                <text x={(LABEL_WIDTH + gzip_width + 6.0).to_string()} y="25" class="chart-value muted-fill">
                    {format!("{} gz", format_bytes(bar.gzip_size as u64))}
                </text>
            </g>
        }
    });
    html! {
        <figure class="size-chart">
            <svg viewBox={format!("0 0 {} {height}", LABEL_WIDTH + BAR_AREA + 90.0)} role="img"
                aria-label={format!("Sizes: {summary}")}>
                {for rows}
                <g transform={format!("translate({LABEL_WIDTH} {})", height - 10.0)} class="chart-legend">
                    <rect width="10" height="8" class="bar-wire" /><text x="14" y="8">{"on the wire"}</text>
                    <rect x="100" width="10" height="8" class="bar-gzip" /><text x="114" y="8">{"gzipped"}</text>
                </g>
            </svg>
        </figure>
    }
}
