//! `out/readiness.html`: the report as one self-contained page, its plots drawn
//! by the `plotters` crate's SVG backend and inlined, so it opens offline.

use std::fmt::Write as _;

use plotters::prelude::*;

use crate::coverage::BANDS_M;
use crate::milestones::Status;
use crate::{Report, table};

const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];

type Drawn = Result<(), Box<dyn std::error::Error>>;

/// The page. A plot that fails to draw is replaced by its error, the rest stays.
pub fn render(r: &Report) -> String {
    let mut page = String::new();
    let _ = write!(
        page,
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Readiness: {}</title>\
         <style>body{{font-family:sans-serif;margin:2em;max-width:1100px}}pre{{font-size:12px;background:#f6f6f6;padding:1em;overflow:auto}}\
         figure{{display:inline-block;margin:0.5em}}</style></head><body>\
         <h1>Readiness of <code>{}</code> at {}</h1>",
        escape(&r.pact),
        escape(&r.pact),
        r.at
    );
    let _ = write!(page, "<h2>Headline</h2><ul>");
    for line in table::headline(r) {
        let _ = write!(page, "<li>{}</li>", escape(&line));
    }
    let _ = write!(page, "</ul>");
    section(
        &mut page,
        "Stock against time per depot",
        svg(900, 380, |root| stock_plot(r, root)),
    );
    section(
        &mut page,
        "Days of supply",
        svg(900, 300, |root| supply_plot(r, root)),
    );
    if !r.policies.is_empty() {
        section(
            &mut page,
            "Cost-exchange per policy",
            svg(500, 320, |root| cer_plot(r, root)),
        );
        section(
            &mut page,
            "Magazine depletion per policy",
            svg(900, 360, |root| depletion_plot(r, root)),
        );
    }
    if let Some(c) = &r.coverage {
        let _ = write!(page, "<h2>Coverage gaps per altitude band</h2>");
        for (band, blocks) in c.gap_maps.iter().enumerate() {
            let fig = svg(440, 360, |root| {
                gap_plot(blocks, c.block_km, BANDS_M[band], root)
            });
            let _ = write!(page, "<figure>{fig}</figure>");
        }
    }
    section(
        &mut page,
        "Milestones",
        svg(900, 260, |root| milestone_plot(r, root)),
    );
    let _ = writeln!(
        page,
        "<h2>Tables</h2><pre>{}</pre></body></html>",
        escape(&table::render(r))
    );
    page
}

fn section(page: &mut String, title: &str, body: String) {
    let _ = write!(page, "<h2>{}</h2>{body}", escape(title));
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn svg(
    w: u32,
    h: u32,
    draw: impl FnOnce(&DrawingArea<SVGBackend, plotters::coord::Shift>) -> Drawn,
) -> String {
    let mut buf = String::new();
    let result = {
        let root = SVGBackend::with_string(&mut buf, (w, h)).into_drawing_area();
        let drawn = root
            .fill(&WHITE)
            .map_err(Into::into)
            .and_then(|()| draw(&root));
        drawn.and_then(|()| root.present().map_err(Into::into))
    };
    match result {
        Ok(()) => buf,
        Err(e) => format!("<p>plot not drawn: {}</p>", escape(&e.to_string())),
    }
}

fn stock_plot(r: &Report, root: &DrawingArea<SVGBackend, plotters::coord::Shift>) -> Drawn {
    let t = &r.timeline;
    let days = t.stock.first().map_or(1, Vec::len).max(2) as u32;
    let y_max = t.stock.iter().flatten().copied().fold(1.0, f64::max) * 1.1;
    let mut chart = ChartBuilder::on(root)
        .margin(10)
        .x_label_area_size(35)
        .y_label_area_size(60)
        .build_cartesian_2d(0u32..days, 0f64..y_max)?;
    chart
        .configure_mesh()
        .x_desc("day from the pact's day 0")
        .y_desc("rounds")
        .draw()?;
    for (i, ((depot, item), series)) in t.keys.iter().zip(&t.stock).enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        chart
            .draw_series(LineSeries::new(
                series.iter().enumerate().map(|(d, s)| (d as u32, *s)),
                color.stroke_width(2),
            ))?
            .label(format!("{item} at {depot}"))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color));
    }
    chart
        .draw_series(LineSeries::new(
            [(r.at_day, 0.0), (r.at_day, y_max)],
            BLACK.mix(0.5),
        ))?
        .label("as-of date")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.mix(0.5)));
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()?;
    Ok(())
}

fn supply_plot(r: &Report, root: &DrawingArea<SVGBackend, plotters::coord::Shift>) -> Drawn {
    let horizon = r
        .timeline
        .stock
        .first()
        .map_or(0, Vec::len)
        .saturating_sub(r.at_day as usize + 1) as f64;
    let n = r.supply.len().max(1);
    let mut chart = ChartBuilder::on(root)
        .margin(10)
        .x_label_area_size(35)
        .y_label_area_size(200)
        .build_cartesian_2d(0f64..horizon.max(1.0), (0..n).into_segmented())?;
    let labels: Vec<String> = r
        .supply
        .iter()
        .map(|s| format!("{} at {}", s.item, s.depot))
        .collect();
    chart
        .configure_mesh()
        .x_desc("days of supply from the as-of date (bar to the edge: beyond the horizon)")
        .y_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) => labels.get(*i).cloned().unwrap_or_default(),
            _ => String::new(),
        })
        .draw()?;
    chart.draw_series(r.supply.iter().enumerate().map(|(i, s)| {
        let d = s.dry_in_days.map_or(horizon, f64::from);
        let color = if s.dry_in_days.is_some() {
            PALETTE[3]
        } else {
            PALETTE[2]
        };
        Rectangle::new(
            [
                (0.0, SegmentValue::Exact(i)),
                (d, SegmentValue::Exact(i + 1)),
            ],
            color.mix(0.7).filled(),
        )
    }))?;
    Ok(())
}

fn cer_plot(r: &Report, root: &DrawingArea<SVGBackend, plotters::coord::Shift>) -> Drawn {
    let n = r.policies.len();
    let y_max = r
        .policies
        .iter()
        .map(|p| p.night.cost_exchange_ratio())
        .fold(1.0, f64::max)
        * 1.15;
    let names: Vec<&str> = r.policies.iter().map(|p| p.policy.name()).collect();
    let mut chart = ChartBuilder::on(root)
        .margin(10)
        .x_label_area_size(35)
        .y_label_area_size(50)
        .build_cartesian_2d((0..n).into_segmented(), 0f64..y_max)?;
    chart
        .configure_mesh()
        .y_desc("defender cost / attacker cost")
        .x_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) => names.get(*i).map(|s| (*s).to_owned()).unwrap_or_default(),
            _ => String::new(),
        })
        .draw()?;
    chart.draw_series(r.policies.iter().enumerate().map(|(i, p)| {
        Rectangle::new(
            [
                (SegmentValue::Exact(i), 0.0),
                (SegmentValue::Exact(i + 1), p.night.cost_exchange_ratio()),
            ],
            PALETTE[i % PALETTE.len()].mix(0.8).filled(),
        )
    }))?;
    chart.draw_series(LineSeries::new(
        [(SegmentValue::Exact(0), 1.0), (SegmentValue::Exact(n), 1.0)],
        BLACK.stroke_width(1),
    ))?;
    Ok(())
}

fn depletion_plot(r: &Report, root: &DrawingArea<SVGBackend, plotters::coord::Shift>) -> Drawn {
    let mut items: Vec<&String> = r.timeline.keys.iter().map(|(_, i)| i).collect();
    items.sort();
    items.dedup();
    let days = r.timeline.stock.first().map_or(1, Vec::len).max(2) as u32;
    let mut y_max: f64 = 1.0;
    for p in &r.policies {
        for item in &items {
            for d in 0..days {
                y_max = y_max.max(p.timeline.item_stock(item, d));
            }
        }
    }
    let mut chart = ChartBuilder::on(root)
        .margin(10)
        .x_label_area_size(35)
        .y_label_area_size(60)
        .build_cartesian_2d(r.at_day..days, 0f64..y_max * 1.1)?;
    chart
        .configure_mesh()
        .x_desc("day")
        .y_desc("rounds, all depots")
        .draw()?;
    let mut k = 0;
    for p in &r.policies {
        for item in &items {
            let color = PALETTE[k % PALETTE.len()];
            k += 1;
            let dash = p.policy == crate::Policy::MissileFirst;
            let points: Vec<(u32, f64)> = (r.at_day..days)
                .map(|d| (d, p.timeline.item_stock(item, d)))
                .collect();
            let style = if dash {
                color.stroke_width(1)
            } else {
                color.stroke_width(3)
            };
            chart
                .draw_series(LineSeries::new(points, style))?
                .label(format!("{item}, {}", p.policy.name()))
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color));
        }
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()?;
    Ok(())
}

fn gap_plot(
    blocks: &[(f64, f64, f64, f64)],
    block_km: f64,
    band_m: f64,
    root: &DrawingArea<SVGBackend, plotters::coord::Shift>,
) -> Drawn {
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for (x, y, _, _) in blocks {
        x0 = x0.min(*x);
        x1 = x1.max(*x + block_km);
        y0 = y0.min(*y);
        y1 = y1.max(*y + block_km);
    }
    if x0 > x1 {
        return Ok(());
    }
    let mut chart = ChartBuilder::on(root)
        .margin(10)
        .caption(
            format!("gaps at {band_m} m (red: uncovered)"),
            ("sans-serif", 16),
        )
        .x_label_area_size(30)
        .y_label_area_size(45)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc("km east")
        .y_desc("km north")
        .draw()?;
    chart.draw_series(blocks.iter().map(|(x, y, _, gap)| {
        let red = (255.0 * gap) as u8;
        let green = (200.0 * (1.0 - gap)) as u8;
        Rectangle::new(
            [(*x, *y), (*x + block_km, *y + block_km)],
            RGBColor(red, green, 60).filled(),
        )
    }))?;
    Ok(())
}

fn milestone_plot(r: &Report, root: &DrawingArea<SVGBackend, plotters::coord::Shift>) -> Drawn {
    let day = |t: model::Time| (t - r.effective).us as f64 / 86_400e6;
    let n = r.milestones.len().max(1);
    let x_max = r
        .milestones
        .iter()
        .map(|m| day(m.to))
        .fold(f64::from(r.at_day) + 10.0, f64::max);
    let labels: Vec<String> = r
        .milestones
        .iter()
        .map(|m| format!("{} {}", m.id, m.name))
        .collect();
    let mut chart = ChartBuilder::on(root)
        .margin(10)
        .x_label_area_size(35)
        .y_label_area_size(220)
        .build_cartesian_2d(0f64..x_max, (0..n).into_segmented())?;
    chart
        .configure_mesh()
        .x_desc("day from the pact's day 0 (green done, blue on track, orange at risk, red late)")
        .y_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) => labels.get(*i).cloned().unwrap_or_default(),
            _ => String::new(),
        })
        .draw()?;
    let color = |s: Status| match s {
        Status::Done => PALETTE[2],
        Status::Pending => PALETTE[0],
        Status::AtRisk => PALETTE[1],
        Status::Late => PALETTE[3],
    };
    chart.draw_series(r.milestones.iter().enumerate().map(|(i, m)| {
        Rectangle::new(
            [
                (day(m.from), SegmentValue::Exact(i)),
                (day(m.to), SegmentValue::Exact(i + 1)),
            ],
            color(m.status).mix(0.7).filled(),
        )
    }))?;
    chart.draw_series(r.commitments.iter().filter_map(|c| {
        let i = r
            .milestones
            .iter()
            .position(|m| m.deliverables.iter().any(|d| d.commitments.contains(&c.id)))?;
        Some(Circle::new(
            (day(c.due), SegmentValue::CenterOf(i)),
            5,
            color(c.status).filled(),
        ))
    }))?;
    chart.draw_series(LineSeries::new(
        [
            (f64::from(r.at_day), SegmentValue::Exact(0)),
            (f64::from(r.at_day), SegmentValue::Exact(n)),
        ],
        BLACK.stroke_width(2),
    ))?;
    Ok(())
}
