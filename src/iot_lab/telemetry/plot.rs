//! The live plot: the chosen field of each device shown over the last ten seconds, drawn on a
//! `<canvas>` in every animation frame straight from the lab's ring buffers (yew renders the
//! element once; readings never re-render it). Each series is thinned to one column per device
//! pixel (`wire::iot_lab::plot_columns`), so a frame costs about the same at 100 or 5,000
//! readings a second. Colours come from CSS (`--iot-series-N` and friends, one `light-dark()`
//! each) through a hidden palette whose computed colours are read twice a second, so a theme
//! switch shows within half a second.
//!
//! The canvas says how much it drew in `data-points` (readings in the window of the devices
//! shown, in the last frame) and `data-frames` (frames drawn), written four times a second, and
//! the caption gives the latency from the server's send time to the first frame that drew the
//! reading.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{CanvasRenderingContext2d, Element, HtmlCanvasElement};
use wire::iot_lab::{
    LATENCY_WINDOW, PLOT_SECONDS, PlotColumn, PlotWindow, Ring, axis, figure, plot_columns, summarize_latency,
};
use yew::prelude::*;

use super::effects::{TelemetryStore, precise_now_ms};

/// Series colours before they repeat.
pub const SERIES_COLOURS: usize = 8;

#[derive(Properties, PartialEq)]
pub struct LivePlotProps {
    pub lab: TelemetryStore,
}

#[function_component(LivePlot)]
pub fn live_plot(props: &LivePlotProps) -> Html {
    let canvas = use_node_ref();
    let caption = use_node_ref();
    let palette = use_node_ref();
    {
        let (lab, canvas, caption, palette) = (props.lab.clone(), canvas.clone(), caption.clone(), palette.clone());
        use_effect_with((), move |_| {
            let painter = Painter::new(lab, canvas, caption, palette);
            let animation = painter.map(|mut painter| Animation::start(move |_| painter.frame()));
            move || drop(animation)
        });
    }
    let swatches = (0..SERIES_COLOURS).map(|index| html! { <span class={format!("iot-series-{index}")}></span> });
    html! {
        <figure class="iot-plot">
            <canvas ref={canvas} role="img" data-points="0" data-frames="0"
                aria-label={format!("Live plot of the chosen field for each device shown, over the last {PLOT_SECONDS} seconds")}>
            </canvas>
            <figcaption class="muted" ref={caption} data-testid="plot-latency"></figcaption>
            <div class="iot-palette" ref={palette} aria-hidden="true">
                {for swatches}
                <span class="iot-plot-text"></span>
                <span class="iot-plot-grid"></span>
                <span class="iot-plot-fault"></span>
            </div>
        </figure>
    }
}

/// The frame callback, which holds itself to ask for the next frame (until it is taken out).
type FrameCallback = Rc<RefCell<Option<Closure<dyn FnMut(f64)>>>>;

/// A callback run in every animation frame until this is dropped.
struct Animation {
    request: Rc<Cell<i32>>,
    callback: FrameCallback,
}

impl Animation {
    fn start(mut frame: impl FnMut(f64) + 'static) -> Animation {
        let request = Rc::new(Cell::new(0));
        let callback: FrameCallback = Rc::new(RefCell::new(None));
        let (next_request, itself) = (request.clone(), callback.clone());
        *callback.borrow_mut() = Some(Closure::new(move |time: f64| {
            frame(time);
            if let Some(closure) = itself.borrow().as_ref() {
                next_request.set(request_frame(closure));
            }
        }));
        if let Some(closure) = callback.borrow().as_ref() {
            request.set(request_frame(closure));
        }
        Animation { request, callback }
    }
}

fn request_frame(closure: &Closure<dyn FnMut(f64)>) -> i32 {
    web_sys::window()
        .and_then(|window| window.request_animation_frame(closure.as_ref().unchecked_ref()).ok())
        .unwrap_or(0)
}

impl Drop for Animation {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            let _ = window.cancel_animation_frame(self.request.get());
        }
        // Breaks the closure's hold on itself.
        self.callback.borrow_mut().take();
    }
}

/// The colours the plot draws with, as the page's CSS resolves them now.
struct Palette {
    series: Vec<String>,
    text: String,
    grid: String,
    fault: String,
}

impl Palette {
    fn read(element: &Element) -> Option<Palette> {
        let window = web_sys::window()?;
        let children = element.children();
        let colour = |index: u32| -> Option<String> {
            let child = children.item(index)?;
            window.get_computed_style(&child).ok().flatten()?.get_property_value("color").ok()
        };
        let count = SERIES_COLOURS as u32;
        Some(Palette {
            series: (0..count).map(|index| colour(index).unwrap_or_else(|| "gray".into())).collect(),
            text: colour(count)?,
            grid: colour(count + 1)?,
            fault: colour(count + 2)?,
        })
    }
}

/// Margins around the plotting area, in CSS pixels: left (the y labels), top, right, bottom (the
/// x labels).
const MARGINS: (f64, f64, f64, f64) = (52.0, 22.0, 14.0, 26.0);
/// How often the attributes and the caption are written, and the colours read.
const REPORT_MS: f64 = 250.0;
const PALETTE_MS: f64 = 500.0;

struct Painter {
    lab: TelemetryStore,
    canvas: HtmlCanvasElement,
    context: CanvasRenderingContext2d,
    caption: NodeRef,
    palette_element: NodeRef,
    palette: Option<Palette>,
    palette_read_at: f64,
    reported_at: f64,
    /// One buffer per series, reused every frame.
    columns: Vec<Vec<PlotColumn>>,
    frames: u64,
    points: usize,
    /// Per device, the send time of the newest reading already drawn.
    drawn_up_to: HashMap<String, f64>,
    /// Latency from send time to the frame that first drew each reading.
    screen_latency: Ring<f64>,
}

impl Painter {
    fn new(lab: TelemetryStore, canvas: NodeRef, caption: NodeRef, palette: NodeRef) -> Option<Painter> {
        let canvas = canvas.cast::<HtmlCanvasElement>()?;
        let context = canvas.get_context("2d").ok().flatten()?.dyn_into::<CanvasRenderingContext2d>().ok()?;
        Some(Painter {
            lab,
            canvas,
            context,
            caption,
            palette_element: palette,
            palette: None,
            palette_read_at: f64::NEG_INFINITY,
            reported_at: f64::NEG_INFINITY,
            columns: Vec::new(),
            frames: 0,
            points: 0,
            drawn_up_to: HashMap::new(),
            screen_latency: Ring::new(LATENCY_WINDOW),
        })
    }

    fn frame(&mut self) {
        // Hidden (the other tab is shown): nothing to draw.
        let (css_width, css_height) = (self.canvas.client_width(), self.canvas.client_height());
        if css_width <= 0 || css_height <= 0 {
            self.drawn_up_to.clear();
            return;
        }
        let now = precise_now_ms();
        if now - self.palette_read_at > PALETTE_MS {
            self.palette = self.palette_element.cast::<Element>().as_ref().and_then(Palette::read);
            self.palette_read_at = now;
        }
        let scale = web_sys::window().map_or(1.0, |window| window.device_pixel_ratio()).max(1.0);
        let (width, height) = ((css_width as f64 * scale).round(), (css_height as f64 * scale).round());
        if self.canvas.width() != width as u32 || self.canvas.height() != height as u32 {
            self.canvas.set_width(width as u32);
            self.canvas.set_height(height as u32);
        }
        self.draw(now, width, height, scale);
        self.frames += 1;
        if now - self.reported_at > REPORT_MS {
            self.report();
            self.reported_at = now;
        }
    }

    fn draw(&mut self, now: f64, width: f64, height: f64, scale: f64) {
        let Some(palette) = &self.palette else { return };
        let lab = self.lab.clone();
        let state = lab.state();
        let (left, top, right, bottom) =
            (MARGINS.0 * scale, MARGINS.1 * scale, width - MARGINS.2 * scale, height - MARGINS.3 * scale);
        let plot_width = (right - left).max(1.0);
        let plot_height = (bottom - top).max(1.0);
        let end_ms = state.plot_end_ms(now);
        let window = PlotWindow {
            start_ms: end_ms - PLOT_SECONDS * 1_000.0,
            end_ms,
            columns: plot_width as usize,
            gap_ms: 1_000.0,
        };

        // Thin each shown series, and find the values' range.
        self.columns.resize_with(state.series.len(), Vec::new);
        self.points = 0;
        let (mut low, mut high) = (f64::INFINITY, f64::NEG_INFINITY);
        for (series, columns) in state.series.iter().zip(self.columns.iter_mut()) {
            if !state.is_shown(&series.device) {
                columns.clear();
                continue;
            }
            self.points += plot_columns(series.samples.iter(), state.field, &window, columns);
            for column in columns.iter() {
                low = low.min(column.low as f64);
                high = high.max(column.high as f64);
            }
            // The readings drawn for the first time in this frame: their latency to the screen
            // (a device seen for the first time, or again after the plot was hidden, only starts
            // the count).
            let Some(newest) = series.samples.newest().map(|sample| sample.sent_at_ms) else { continue };
            match self.drawn_up_to.get_mut(&series.device) {
                Some(drawn_up_to) => {
                    let after = *drawn_up_to;
                    for sample in series.samples.iter().rev().take_while(|sample| sample.sent_at_ms > after) {
                        if sample.sent_at_ms >= window.start_ms && sample.sent_at_ms <= window.end_ms {
                            self.screen_latency.push(now - sample.sent_at_ms);
                        }
                    }
                    *drawn_up_to = newest;
                }
                None => {
                    self.drawn_up_to.insert(series.device.clone(), newest);
                }
            }
        }
        if state.series.is_empty() {
            self.drawn_up_to.clear();
        }
        let (axis_low, axis_high, ticks) = axis(low, high, 5, state.field.bounds());
        let y = |value: f64| top + (axis_high - value) / (axis_high - axis_low).max(f64::MIN_POSITIVE) * plot_height;

        let context = &self.context;
        context.clear_rect(0.0, 0.0, width, height);
        context.set_line_width(scale);
        context.set_font(&format!("{}px system-ui, sans-serif", (12.0 * scale).round()));
        context.set_fill_style_str(&palette.text);
        context.set_stroke_style_str(&palette.grid);

        // The grid and its labels: values on the left, seconds before the end below.
        context.begin_path();
        context.set_text_align("right");
        context.set_text_baseline("middle");
        for tick in &ticks {
            let at = y(*tick).round() + 0.5;
            context.move_to(left, at);
            context.line_to(right, at);
            let _ = context.fill_text(&figure(*tick), left - 6.0 * scale, at);
        }
        context.set_text_align("center");
        context.set_text_baseline("top");
        let seconds = PLOT_SECONDS as i32;
        for second in (0..=seconds).step_by(2) {
            let at = (left + plot_width * (1.0 - second as f64 / PLOT_SECONDS)).round() + 0.5;
            context.move_to(at, top);
            context.line_to(at, bottom);
            let label = if second == 0 { "now".to_string() } else { format!("−{second} s") };
            let _ = context.fill_text(&label, at, bottom + 6.0 * scale);
        }
        context.stroke();
        context.set_text_align("left");
        context.set_text_baseline("top");
        let _ =
            context.fill_text(&format!("{} ({})", state.field.label(), state.field.unit()), 4.0 * scale, 3.0 * scale);

        // The series: each column's first value, then its range.
        context.set_line_width(1.5 * scale);
        // Bevel joins: round ones cost a curve per segment in software rasterising.
        context.set_line_join("bevel");
        for (index, columns) in self.columns.iter().enumerate() {
            if columns.is_empty() {
                continue;
            }
            context.set_stroke_style_str(&palette.series[index % palette.series.len()]);
            context.begin_path();
            for (position, column) in columns.iter().enumerate() {
                let x = left + column.column as f64 + 0.5;
                if position == 0 || column.gap_before {
                    context.move_to(x, y(column.first as f64));
                } else {
                    context.line_to(x, y(column.first as f64));
                }
                // The column's range, ending at the extreme nearer its last value, so the line
                // goes on from about where the readings did (two points per column, however many
                // readings fell in it).
                if column.low != column.high {
                    let (low, high) = (y(column.low as f64), y(column.high as f64));
                    let ends_high = column.high - column.last < column.last - column.low;
                    if ends_high {
                        context.line_to(x, low);
                        context.line_to(x, high);
                    } else {
                        context.line_to(x, high);
                        context.line_to(x, low);
                    }
                }
            }
            context.stroke();
        }

        // Fault readings: a triangle above the point, outlined in the series' colour.
        let size = 5.0 * scale;
        context.set_fill_style_str(&palette.fault);
        for (index, columns) in self.columns.iter().enumerate() {
            context.set_stroke_style_str(&palette.series[index % palette.series.len()]);
            for column in columns {
                let Some(value) = column.fault else { continue };
                let (x, at) = (left + column.column as f64 + 0.5, y(value as f64));
                context.begin_path();
                context.move_to(x, at - size * 2.2);
                context.line_to(x - size, at - size * 0.4);
                context.line_to(x + size, at - size * 0.4);
                context.close_path();
                context.fill();
                context.stroke();
            }
        }
    }

    /// The counts on the canvas and the caption's latency, a few times a second.
    fn report(&self) {
        let _ = self.canvas.set_attribute("data-points", &self.points.to_string());
        let _ = self.canvas.set_attribute("data-frames", &self.frames.to_string());
        let Some(caption) = self.caption.cast::<Element>() else { return };
        let text = match summarize_latency(self.screen_latency.iter().copied()) {
            Some(latency) => format!(
                "Server send → first drawn: p50 {} ms · p95 {} ms · max {} ms (last {} readings drawn)",
                figure(latency.p50_ms),
                figure(latency.p95_ms),
                figure(latency.max_ms),
                latency.count
            ),
            None => String::new(),
        };
        if caption.text_content().unwrap_or_default() != text {
            caption.set_text_content(Some(&text));
        }
    }
}
