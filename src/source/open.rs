//! Opening a file as a byte stream, decompressing `.gz` and `.zst` on the fly.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

use super::format::Compression;

/// Bytes read from the start of a (decompressed) stream to sniff its format.
pub const HEAD_LEN: usize = 64 * 1024;

/// A readable stream plus its first bytes, already read (and replayed by the stream).
pub struct Opened {
    /// The first up-to-64 KiB of decompressed content.
    pub head: Vec<u8>,
    /// The whole content, head included.
    pub reader: Box<dyn Read + Send>,
}

/// Opens `path`, decompressing as `compression` says.
pub fn open(path: &Path, compression: Compression) -> io::Result<Opened> {
    open_stream(Box::new(File::open(path)?), compression)
}

/// Decompresses any byte stream (a file, an object being downloaded) as `compression`
/// says, with its head read.
pub fn open_stream(raw: Box<dyn Read + Send>, compression: Compression) -> io::Result<Opened> {
    let mut reader: Box<dyn Read + Send> = match compression {
        Compression::None => raw,
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(
            256 * 1024,
            raw,
        ))),
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::new(raw)?),
    };
    let mut head = Vec::with_capacity(HEAD_LEN);
    (&mut reader).take(HEAD_LEN as u64).read_to_end(&mut head)?;
    let replay = io::Cursor::new(head.clone());
    Ok(Opened {
        head,
        reader: Box::new(replay.chain(reader)),
    })
}

/// Reads the first bytes of a file without decompressing (for magic numbers).
pub fn raw_head(path: &Path, n: usize) -> io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(n);
    File::open(path)?.take(n as u64).read_to_end(&mut buf)?;
    Ok(buf)
}
