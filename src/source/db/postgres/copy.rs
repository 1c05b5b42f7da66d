//! `--full` reads through `COPY (SELECT …) TO STDOUT (FORMAT binary)`: the server streams
//! every row without waiting for a fetch per batch, and since every selected column is
//! text, each field arrives as its raw bytes behind a length (no escaping to undo, no
//! row object per row). The stream is decoded in place, chunk by chunk, so memory stays
//! bounded by the largest row.

use std::time::Duration;

use futures::TryStreamExt;
use tokio_postgres::Client;

use super::{within, ReadError, RecordSink, RowPusher};

/// The 11-byte signature that opens a binary COPY stream.
const SIGNATURE: &[u8; 11] = b"PGCOPY\n\xff\r\n\0";

/// The fields of one tuple: byte ranges of the decoded slice, `None` for NULL.
type Fields = [Option<(usize, usize)>];

/// Called with the decoded bytes and the fields of each tuple.
type OnTuple<'a> = dyn FnMut(&[u8], &Fields) + 'a;

/// Decodes a binary COPY stream fed in arbitrary chunks: the header, then one call of
/// `row` per tuple with its fields (`None` for NULL) as byte ranges of the slice given.
#[derive(Default)]
pub(super) struct CopyDecoder {
    /// The bytes of an incomplete tuple (or header) carried to the next chunk.
    carry: Vec<u8>,
    header_done: bool,
    /// The trailer (`-1` field count) was read.
    pub(super) finished: bool,
    fields: Vec<Option<(usize, usize)>>,
}

/// What one decoding step found at the start of the bytes.
enum Step {
    /// A complete header or tuple of this many bytes.
    Took(usize),
    /// More bytes are needed.
    Short,
}

impl CopyDecoder {
    /// Feeds `chunk`; calls `row(bytes, fields)` for each complete tuple.
    pub(super) fn feed(&mut self, chunk: &[u8], row: &mut OnTuple<'_>) -> Result<(), String> {
        if self.carry.is_empty() {
            let used = self.decode(chunk, row)?;
            self.carry.extend_from_slice(&chunk[used..]);
        } else {
            let mut data = std::mem::take(&mut self.carry);
            data.extend_from_slice(chunk);
            let used = self.decode(&data, row)?;
            data.drain(..used);
            self.carry = data;
        }
        Ok(())
    }

    /// Decodes what `data` holds completely; returns how many bytes were used.
    fn decode(&mut self, data: &[u8], row: &mut OnTuple<'_>) -> Result<usize, String> {
        let mut at = 0;
        while !self.finished {
            let step = if self.header_done {
                self.tuple(data, at)?
            } else {
                header(&data[at..])?
            };
            match step {
                Step::Short => break,
                Step::Took(n) => {
                    if self.header_done && !self.finished {
                        row(data, &self.fields);
                    }
                    self.header_done = true;
                    at += n;
                }
            }
        }
        Ok(at)
    }

    /// One tuple at `data[at..]`: its fields into `self.fields` (ranges of `data`).
    fn tuple(&mut self, data: &[u8], at: usize) -> Result<Step, String> {
        let b = &data[at..];
        let Some(count) = b.get(..2) else {
            return Ok(Step::Short);
        };
        let count = i16::from_be_bytes([count[0], count[1]]);
        if count == -1 {
            self.finished = true;
            return Ok(Step::Took(2));
        }
        if count < 0 {
            return Err(format!("binary COPY: invalid field count {count}"));
        }
        self.fields.clear();
        let mut pos = 2;
        for _ in 0..count {
            let Some(len) = b.get(pos..pos + 4) else {
                return Ok(Step::Short);
            };
            let len = i32::from_be_bytes([len[0], len[1], len[2], len[3]]);
            pos += 4;
            if len == -1 {
                self.fields.push(None);
                continue;
            }
            let len = usize::try_from(len)
                .map_err(|_| format!("binary COPY: invalid field length {len}"))?;
            if b.len() < pos + len {
                return Ok(Step::Short);
            }
            self.fields.push(Some((at + pos, at + pos + len)));
            pos += len;
        }
        Ok(Step::Took(pos))
    }
}

/// The header at the start of `b`: signature, flags, extension area.
fn header(b: &[u8]) -> Result<Step, String> {
    if b.len() < SIGNATURE.len() + 8 {
        return Ok(Step::Short);
    }
    if &b[..SIGNATURE.len()] != SIGNATURE {
        return Err("binary COPY: the stream does not start with the PGCOPY signature".into());
    }
    let ext = &b[SIGNATURE.len() + 4..SIGNATURE.len() + 8];
    let ext = u32::from_be_bytes([ext[0], ext[1], ext[2], ext[3]]) as usize;
    let total = SIGNATURE.len() + 8 + ext;
    Ok(if b.len() < total {
        Step::Short
    } else {
        Step::Took(total)
    })
}

/// Streams every row of `select` (text columns only) through a binary COPY in a
/// read-only transaction, pushing each field; returns the rows pushed. On an error the
/// rows pushed so far are kept in it (`rows_scanned`).
pub(super) async fn copy_rows(
    client: &mut Client,
    select: &str,
    pusher: &mut RowPusher,
    sink: &mut dyn RecordSink,
    reply: Duration,
) -> Result<u64, ReadError> {
    let tx = within(
        reply,
        "starting a read-only transaction",
        client.build_transaction().read_only(true).start(),
    )
    .await?;
    let sql = format!("COPY ({select}) TO STDOUT (FORMAT binary)");
    let stream = within(reply, "starting COPY", tx.copy_out(&sql)).await?;
    futures::pin_mut!(stream);
    let mut decoder = CopyDecoder::default();
    let mut rows = 0u64;
    let mut on_row = |data: &[u8], fields: &Fields| {
        for (i, f) in fields.iter().enumerate() {
            pusher.push(sink, i, f.map(|(s, e)| &data[s..e]), rows);
        }
        sink.rows(1);
        rows += 1;
    };
    loop {
        let chunk = match within(reply, "reading rows", stream.try_next()).await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            Err(mut e) => {
                e.rows_scanned = rows;
                return Err(e);
            }
        };
        if let Err(message) = decoder.feed(&chunk, &mut on_row) {
            return Err(broken(message, rows));
        }
    }
    if !decoder.finished {
        return Err(broken(
            "binary COPY: the stream ended before its trailer".into(),
            rows,
        ));
    }
    // Ending a read-only transaction: a rollback is as good as a commit.
    let _ = within(reply, "ending the transaction", tx.rollback()).await;
    Ok(rows)
}

/// A stream piimap cannot decode: the session is left mid-COPY, so it counts as lost
/// (the caller reconnects rather than reuse it).
fn broken(message: String, rows_scanned: u64) -> ReadError {
    ReadError {
        connection_lost: true,
        rows_scanned,
        ..ReadError::new("query", message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A binary COPY stream of `rows` (each field `None` for NULL).
    fn stream(rows: &[Vec<Option<&str>>]) -> Vec<u8> {
        let mut b = SIGNATURE.to_vec();
        b.extend_from_slice(&0u32.to_be_bytes());
        b.extend_from_slice(&4u32.to_be_bytes());
        b.extend_from_slice(b"ext!");
        for r in rows {
            b.extend_from_slice(&(r.len() as i16).to_be_bytes());
            for f in r {
                match f {
                    None => b.extend_from_slice(&(-1i32).to_be_bytes()),
                    Some(s) => {
                        b.extend_from_slice(&(s.len() as i32).to_be_bytes());
                        b.extend_from_slice(s.as_bytes());
                    }
                }
            }
        }
        b.extend_from_slice(&(-1i16).to_be_bytes());
        b
    }

    fn decode(bytes: &[u8], chunk: usize) -> (Vec<Vec<Option<String>>>, bool) {
        let mut d = CopyDecoder::default();
        let mut out = Vec::new();
        for c in bytes.chunks(chunk) {
            d.feed(c, &mut |data, fields| {
                out.push(
                    fields
                        .iter()
                        .map(|f| f.map(|(s, e)| String::from_utf8_lossy(&data[s..e]).into()))
                        .collect(),
                )
            })
            .unwrap();
        }
        (out, d.finished)
    }

    /// Tuples split anywhere across chunks (down to one byte at a time) decode the same,
    /// NULLs and empty strings kept apart, and the trailer is seen.
    #[test]
    fn binary_copy_decodes_across_any_chunking() {
        let rows = vec![
            vec![Some("ann@example.com"), None, Some("")],
            vec![Some("ü"), Some("x\ty\nz"), Some("536-22-1937")],
        ];
        let bytes = stream(&rows);
        let want: Vec<Vec<Option<String>>> = rows
            .iter()
            .map(|r| r.iter().map(|f| f.map(String::from)).collect())
            .collect();
        for chunk in [1, 2, 3, 7, 19, 64, bytes.len()] {
            assert_eq!(
                decode(&bytes, chunk),
                (want.clone(), true),
                "chunks of {chunk}"
            );
        }
    }

    #[test]
    fn a_bad_signature_or_a_cut_stream_is_an_error_not_rows() {
        let mut d = CopyDecoder::default();
        let err = d
            .feed(b"NOTCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0", &mut |_, _| {
                panic!("no rows")
            })
            .unwrap_err();
        assert!(err.contains("PGCOPY"), "{err}");
        let bytes = stream(&[vec![Some("abc")]]);
        let (rows, finished) = decode(&bytes[..bytes.len() - 2], 5);
        assert_eq!(rows.len(), 1);
        assert!(
            !finished,
            "no trailer: the caller reports the stream as cut"
        );
    }
}
