//! The dense column-major matrix and the Householder reflector that the LAPACK ports share.

use super::larfg;

/// A dense column-major matrix, as LAPACK stores them.
#[derive(Clone, Debug, PartialEq)]
pub struct Dense {
    pub rows: usize,
    pub cols: usize,
    pub data: Vec<f64>,
}

impl Dense {
    pub fn zeros(rows: usize, cols: usize) -> Self {
        Dense {
            rows,
            cols,
            data: vec![0.0; rows * cols],
        }
    }

    pub fn identity(n: usize) -> Self {
        let mut m = Dense::zeros(n, n);
        for i in 0..n {
            m.set(i, i, 1.0);
        }
        m
    }

    /// The matrix of the C-contiguous `rows x cols` buffer.
    pub fn from_row_major(values: &[f64], rows: usize, cols: usize) -> Self {
        let mut m = Dense::zeros(rows, cols);
        for i in 0..rows {
            for j in 0..cols {
                m.set(i, j, values[i * cols + j]);
            }
        }
        m
    }

    pub fn write_row_major(&self, out: &mut [f64]) {
        for i in 0..self.rows {
            for j in 0..self.cols {
                out[i * self.cols + j] = self.at(i, j);
            }
        }
    }

    #[inline]
    pub fn at(&self, i: usize, j: usize) -> f64 {
        self.data[i + j * self.rows]
    }

    #[inline]
    pub fn set(&mut self, i: usize, j: usize, v: f64) {
        self.data[i + j * self.rows] = v;
    }

    /// `drot` on rows `x` and `y`: `x' = c x + s y`, `y' = c y - s x`.
    pub(crate) fn rotate_rows(&mut self, x: usize, y: usize, c: f64, s: f64) {
        for j in 0..self.cols {
            let (a, b) = (self.at(x, j), self.at(y, j));
            self.set(x, j, c * a + s * b);
            self.set(y, j, c * b - s * a);
        }
    }

    /// `drot` on columns `x` and `y`.
    pub(crate) fn rotate_cols(&mut self, x: usize, y: usize, c: f64, s: f64) {
        for i in 0..self.rows {
            let (a, b) = (self.at(i, x), self.at(i, y));
            self.set(i, x, c * a + s * b);
            self.set(i, y, c * b - s * a);
        }
    }

    pub(crate) fn swap_rows(&mut self, x: usize, y: usize) {
        for j in 0..self.cols {
            let t = self.at(x, j);
            self.set(x, j, self.at(y, j));
            self.set(y, j, t);
        }
    }

    pub(crate) fn swap_cols(&mut self, x: usize, y: usize) {
        for i in 0..self.rows {
            let t = self.at(i, x);
            self.set(i, x, self.at(i, y));
            self.set(i, y, t);
        }
    }

    /// `self` with `block` in its top-left corner and the identity below and right of it
    /// (`block` itself when the sizes agree).
    pub(crate) fn embedded(block: &Dense, rows: usize, cols: usize) -> Dense {
        let mut m = Dense::zeros(rows, cols);
        for j in 0..cols {
            for i in 0..rows {
                let v = if i < block.rows && j < block.cols {
                    block.at(i, j)
                } else if i >= block.rows && j >= block.cols && i - block.rows == j - block.cols {
                    1.0
                } else {
                    0.0
                };
                m.set(i, j, v);
            }
        }
        m
    }
}

/// An elementary reflector `I - tau v v^T` acting on indices `start..start + v.len()`, with
/// `v[0] == 1` (LAPACK stores it implicitly).
#[derive(Clone, Debug)]
pub(crate) struct Reflector {
    pub(crate) start: usize,
    pub(crate) v: Vec<f64>,
    pub(crate) tau: f64,
}

impl Reflector {
    /// `dlarfg` on the column segment `a[start.., col]`: the reflector that maps it to
    /// `[beta, 0, ...]`; writes `beta` to `a[start, col]` and zeros below it.
    pub(crate) fn of_column(a: &mut Dense, start: usize, col: usize) -> (Reflector, f64) {
        let rows = a.rows;
        Reflector::of_column_segment(a, start..rows, col)
    }

    /// As [`Reflector::of_column`], on the rows `rows` of the column only.
    pub(crate) fn of_column_segment(
        a: &mut Dense,
        rows: std::ops::Range<usize>,
        col: usize,
    ) -> (Reflector, f64) {
        let (start, end) = (rows.start, rows.end);
        let mut x: Vec<f64> = (start + 1..end).map(|i| a.at(i, col)).collect();
        let (beta, tau) = larfg(a.at(start, col), &mut x, 1);
        let mut v = vec![1.0];
        v.extend_from_slice(&x);
        a.set(start, col, beta);
        for i in start + 1..end {
            a.set(i, col, 0.0);
        }
        (Reflector { start, v, tau }, beta)
    }

    /// As [`Reflector::of_column`], on the row segment `a[row, start..]`.
    pub(crate) fn of_row(a: &mut Dense, row: usize, start: usize) -> (Reflector, f64) {
        let mut x: Vec<f64> = (start + 1..a.cols).map(|j| a.at(row, j)).collect();
        let (beta, tau) = larfg(a.at(row, start), &mut x, 1);
        let mut v = vec![1.0];
        v.extend_from_slice(&x);
        a.set(row, start, beta);
        for j in start + 1..a.cols {
            a.set(row, j, 0.0);
        }
        (Reflector { start, v, tau }, beta)
    }

    /// `a[rows of the reflector, cols] = H a[...]` (`dlarf('Left')`).
    pub(crate) fn apply_left(&self, a: &mut Dense, cols: std::ops::Range<usize>) {
        if self.tau == 0.0 {
            return;
        }
        let (rows, len) = (a.rows, self.v.len());
        for j in cols {
            let column = &mut a.data[j * rows + self.start..][..len];
            let w: f64 = self.v.iter().zip(column.iter()).map(|(v, x)| v * x).sum();
            for (x, v) in column.iter_mut().zip(&self.v) {
                *x -= self.tau * v * w;
            }
        }
    }

    /// `a[rows, cols of the reflector] = a[...] H` (`dlarf('Right')`). Column by column (the
    /// storage order), each row's sum still taken over the reflector in order.
    pub(crate) fn apply_right(&self, a: &mut Dense, rows: std::ops::Range<usize>) {
        if self.tau == 0.0 {
            return;
        }
        let height = a.rows;
        let mut w = vec![-0.0f64; rows.len()];
        for (t, v) in self.v.iter().enumerate() {
            let column = &a.data[(self.start + t) * height..][rows.clone()];
            for (wi, x) in w.iter_mut().zip(column) {
                *wi += v * x;
            }
        }
        for (t, v) in self.v.iter().enumerate() {
            let column = &mut a.data[(self.start + t) * height..][rows.clone()];
            for (x, wi) in column.iter_mut().zip(&w) {
                *x -= self.tau * wi * v;
            }
        }
    }
}
