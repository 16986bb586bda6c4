//! A report's chart, drawn on the server as SVG (no JavaScript): one group of horizontal bars
//! per table row, one bar per charted column, each bar labelled with its figure. Horizontal
//! bars leave room for long labels (provider names) and read top to bottom like the table.
use crate::model::escape_html;
use crate::report::Report;
use std::fmt::Write;

/// Rows beyond this are left to the table, and the chart says so.
pub const CHART_ROWS: usize = 25;

const WIDTH: i64 = 720;
const LABEL_WIDTH: i64 = 230;
const VALUE_WIDTH: i64 = 110;
const BAR_HEIGHT: i64 = 16;
const GAP: i64 = 10;
const LEGEND_HEIGHT: i64 = 28;
/// Dark enough against white for 3:1 (WCAG non-text contrast) and apart from each other.
const COLOURS: [&str; 3] = ["#1d70b8", "#505a5f", "#00703c"];

/// The chart's SVG, or none when there is nothing to draw.
pub fn bar_chart(report: &Report) -> Option<String> {
    let rows = &report.rows[..report.rows.len().min(CHART_ROWS)];
    let largest = rows.iter().flat_map(|row| report.chart.iter().filter_map(|&column| row.get(column)?.number())).max()?;
    let scale = largest.max(1);
    let series = report.chart.len() as i64;
    let group = series * BAR_HEIGHT + GAP;
    let height = LEGEND_HEIGHT + group * rows.len() as i64;
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" aria-label="{}" class="chart" font-size="13" font-family="sans-serif">"#,
        escape_html(&format!("Chart: {}", report.title))
    );
    for (index, &column) in report.chart.iter().enumerate() {
        let x = LABEL_WIDTH + index as i64 * 200;
        let name = report.columns.get(column).map_or("", String::as_str);
        let _ = write!(
            svg,
            r#"<rect x="{x}" y="4" width="14" height="14" fill="{}"/><text x="{}" y="16">{}</text>"#,
            COLOURS[index % 3],
            x + 20,
            escape_html(name)
        );
    }
    let plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
    for (row_index, row) in rows.iter().enumerate() {
        let top = LEGEND_HEIGHT + row_index as i64 * group;
        let label = row.first().map(|figure| figure.shown()).unwrap_or_default();
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" text-anchor="end">{}</text>"#,
            LABEL_WIDTH - 8,
            top + series * BAR_HEIGHT / 2 + 4,
            escape_html(&shorten(&label, 32))
        );
        for (index, &column) in report.chart.iter().enumerate() {
            let Some(figure) = row.get(column) else { continue };
            let value = figure.number().unwrap_or(0).max(0);
            let width = value * plot / scale;
            let y = top + index as i64 * BAR_HEIGHT;
            let _ = write!(
                svg,
                r#"<rect x="{LABEL_WIDTH}" y="{y}" width="{width}" height="{}" fill="{}"/><text x="{}" y="{}">{}</text>"#,
                BAR_HEIGHT - 2,
                COLOURS[index % 3],
                LABEL_WIDTH + width + 6,
                y + BAR_HEIGHT - 4,
                escape_html(&figure.shown())
            );
        }
    }
    svg.push_str("</svg>");
    Some(svg)
}

fn shorten(text: &str, most: usize) -> String {
    if text.chars().count() <= most { text.to_string() } else { format!("{}…", text.chars().take(most - 1).collect::<String>()) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Figure, ReportChoices, ReportQuery};

    fn report(rows: Vec<Vec<Figure>>) -> Report {
        Report {
            slug: "placements".into(),
            title: "Placements".into(),
            query: ReportQuery::default(),
            errors: Vec::new(),
            choices: ReportChoices::default(),
            columns: vec!["Month".into(), "Placements".into()],
            rows,
            chart: vec![1],
            summary: String::new(),
            notes: Vec::new(),
        }
    }

    #[test]
    fn bars_are_scaled_to_the_largest_figure_and_labelled() {
        let svg = bar_chart(&report(vec![vec![Figure::Label("May <2026>".into()), Figure::Count(10)], vec![Figure::Label("June".into()), Figure::Count(5)]]))
            .unwrap();
        let plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
        assert!(svg.contains(&format!(r#"width="{plot}""#)), "{svg}");
        assert!(svg.contains(&format!(r#"width="{}""#, plot / 2)), "{svg}");
        assert!(svg.contains("May &lt;2026&gt;"));
        assert!(svg.contains(">10</text>") && svg.contains(">5</text>"));
    }

    #[test]
    fn nothing_to_draw_gives_no_chart() {
        assert_eq!(bar_chart(&report(Vec::new())), None);
    }
}
