//! Data tables: every data table of the portal is written here, so that each one stays a
//! table for assistive technology and stays readable on a phone, whoever writes the page.
//!
//! - Each body and foot cell carries `data-label`, its column's name. Below 40em (60em for
//!   a table of more than six columns) the stylesheet lays each row out as a block of
//!   labelled cells, so that no row needs sideways scrolling; the label is shown, not read
//!   (`content: attr(data-label) / ""`): a screen reader already says the column header.
//! - The markup is a plain table (no ARIA roles: HTML forbids them on the cells of a
//!   table, and the Nu checker says so). Chromium keeps a table's semantics whatever its
//!   CSS `display`; the browser journeys check its accessibility tree at 320 px.
//! - A table whose row headers are not in its first column is complex (RGAA 5.1): it gets a
//!   summary that says where its headers are, tied to it by `aria-describedby`.
//! - The box around it is a plain `div`: the script makes it a named region and a Tab stop
//!   only while it scrolls sideways (a box that does not scroll is no landmark and no stop,
//!   and the caption is read once, by the table).

use maud::{Markup, Render, html};

/// A column: its name, and optionally a short form shown in the header (`abbr`).
pub struct Column<'a> {
    label: &'a str,
    short: Option<&'a str>,
}

/// A column named `label`.
pub fn col(label: &str) -> Column<'_> {
    Column { label, short: None }
}

impl<'a> Column<'a> {
    /// Shows `short` in the header, `label` being its expansion (`<abbr title>`) and the
    /// cells' label.
    pub fn abbr(self, short: &'a str) -> Self {
        Column {
            short: Some(short),
            ..self
        }
    }
}

/// A cell of a body or foot row.
pub struct Cell {
    content: Markup,
    row_header: bool,
    num: bool,
    id: Option<String>,
}

/// A data cell.
pub fn td(content: impl Render) -> Cell {
    Cell {
        content: content.render(),
        row_header: false,
        num: false,
        id: None,
    }
}

/// The row's header cell (`<th scope="row">`).
pub fn th(content: impl Render) -> Cell {
    Cell {
        row_header: true,
        ..td(content)
    }
}

impl Cell {
    /// An amount: right-aligned, tabular figures.
    pub fn num(self) -> Self {
        Cell { num: true, ..self }
    }

    /// An id, for a control the cell names (`aria-labelledby`).
    pub fn id(self, id: String) -> Self {
        Cell {
            id: Some(id),
            ..self
        }
    }
}

/// A data table, rendered by `Render`.
pub struct DataTable<'a> {
    id: &'a str,
    caption: Markup,
    columns: Vec<Column<'a>>,
    rows: Vec<Vec<Cell>>,
    foot: Vec<Vec<Cell>>,
}

impl<'a> DataTable<'a> {
    /// `id` is the caption's id (`…-legende`), unique on the page.
    pub fn new(
        id: &'a str,
        caption: impl Render,
        columns: impl IntoIterator<Item = Column<'a>>,
    ) -> Self {
        DataTable {
            id,
            caption: caption.render(),
            columns: columns.into_iter().collect(),
            rows: Vec::new(),
            foot: Vec::new(),
        }
    }

    /// The body rows.
    pub fn rows(mut self, rows: impl IntoIterator<Item = Vec<Cell>>) -> Self {
        self.rows.extend(rows);
        self
    }

    /// A row of the foot (totals).
    pub fn foot(mut self, cells: Vec<Cell>) -> Self {
        self.foot.push(cells);
        self
    }

    /// The column of the body rows' header cell, if it is not the first: the table is
    /// then complex (RGAA 5.1) and gets a summary.
    fn row_header_column(&self) -> Option<usize> {
        let column = self.rows.first()?.iter().position(|c| c.row_header)?;
        (column > 0).then_some(column)
    }

    fn label(&self, column: usize) -> &str {
        self.columns.get(column).map_or("", |c| c.label)
    }

    fn row(&self, cells: &[Cell]) -> Markup {
        html! {
            tr {
                @for (column, cell) in cells.iter().enumerate() {
                    @let label = self.label(column);
                    @let class = cell.num.then_some("num");
                    @if cell.row_header {
                        th scope="row" id=[cell.id.as_deref()] class=[class] data-label=(label) { (cell.content) }
                    } @else {
                        td id=[cell.id.as_deref()] class=[class] data-label=(label) { (cell.content) }
                    }
                }
            }
        }
    }
}

/// "3e colonne", "1re colonne".
fn nth_column(i: usize) -> String {
    if i == 1 {
        "1re colonne".to_owned()
    } else {
        format!("{i}e colonne")
    }
}

impl Render for DataTable<'_> {
    fn render(&self) -> Markup {
        let summary_id = format!("{}-resume", self.id);
        let complex = self.row_header_column();
        html! {
            // How much room the table needs before it stacks (see the stylesheet).
            div.table-scroll.data-table.wide[(7..=9).contains(&self.columns.len())].widest[self.columns.len() > 9]
                data-caption=(self.id) {
                @if let Some(column) = complex {
                    p.visually-hidden #(summary_id) {
                        "Tableau à double entrée\u{a0}: les en-têtes des colonnes sont sur la première ligne\u{a0}; "
                        "chaque ligne a pour en-tête sa cellule de la colonne «\u{a0}" (self.label(column)) "\u{a0}» ("
                        (nth_column(column + 1)) ")."
                    }
                }
                table aria-describedby=[complex.map(|_| summary_id.as_str())] {
                    caption #(self.id) { (self.caption) }
                    thead {
                        tr {
                            @for c in &self.columns {
                                th scope="col" {
                                    @match c.short {
                                        Some(short) => abbr title=(c.label) { (short) },
                                        None => (c.label),
                                    }
                                }
                            }
                        }
                    }
                    tbody {
                        @for cells in &self.rows { (self.row(cells)) }
                    }
                    @if !self.foot.is_empty() {
                        tfoot {
                            @for cells in &self.foot { (self.row(cells)) }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cell_is_labelled_by_its_column_and_a_complex_table_is_summarised() {
        let html = DataTable::new(
            "t-legende",
            "Opérations",
            [col("Date"), col("Numéro"), col("Coefficient").abbr("Coef.")],
        )
        .rows([vec![td("01/09/2026"), th("F1"), td("2").num()]])
        .foot(vec![th("Total"), td(""), td("2").num()])
        .render()
        .into_string();
        assert!(html.contains(r#"<td data-label="Date">01/09/2026</td>"#));
        assert!(html.contains(r#"<th scope="row" data-label="Numéro">F1</th>"#));
        assert!(html.contains(r#"<td class="num" data-label="Coefficient">2</td>"#));
        assert!(html.contains(r#"<abbr title="Coefficient">Coef.</abbr>"#));
        assert!(html.contains(r#"<tfoot><tr><th scope="row" data-label="Date">Total</th>"#));
        assert!(html.contains(r#"aria-describedby="t-legende-resume""#));
        assert!(html.contains("la colonne «\u{a0}Numéro\u{a0}» (2e colonne)"));
        // A table whose row headers come first is simple: no summary.
        let simple = DataTable::new("s", "S", [col("Cours"), col("Jour")])
            .rows([vec![th("Piano"), td("Lundi")]])
            .render()
            .into_string();
        assert!(!simple.contains("resume") && !simple.contains("aria-describedby"));
    }
}
