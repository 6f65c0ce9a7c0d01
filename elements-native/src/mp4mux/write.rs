//! Writing an ISO BMFF file (ftyp, moov, mdat) from recorded samples: the box tree, the
//! sample tables and the sample entries of the codecs `mp4mux` takes.

/// What one track holds, in its own timescale.
#[derive(Debug, Clone)]
pub(crate) struct TrackData {
    pub(crate) entry: Entry,
    pub(crate) timescale: u32,
    pub(crate) samples: Vec<SampleData>,
}

/// The sample description of a track.
#[derive(Debug, Clone)]
pub(crate) enum Entry {
    Av1 {
        width: u16,
        height: u16,
        av1c: Vec<u8>,
    },
    H264 {
        width: u16,
        height: u16,
        avcc: Vec<u8>,
    },
    Aac {
        rate: u32,
        channels: u16,
        asc: Vec<u8>,
    },
    Opus {
        channels: u16,
        dops: Vec<u8>,
    },
    /// Interleaved signed 16-bit little-endian PCM (`sowt`).
    Pcm16 {
        rate: u32,
        channels: u16,
    },
}

impl Entry {
    fn is_video(&self) -> bool {
        matches!(self, Entry::Av1 { .. } | Entry::H264 { .. })
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct SampleData {
    /// Where the sample's bytes are in the muxer's data store.
    pub(crate) offset: u64,
    pub(crate) size: u32,
    pub(crate) dts: u64,
    pub(crate) composition_offset: i32,
    pub(crate) duration: u32,
    pub(crate) keyframe: bool,
}

/// Writes a box around what `body` writes, patching its size.
fn boxed(out: &mut Vec<u8>, kind: &[u8; 4], body: impl FnOnce(&mut Vec<u8>)) {
    let start = out.len();
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(kind);
    body(out);
    let size = u32::try_from(out.len() - start).unwrap_or(u32::MAX);
    out[start..start + 4].copy_from_slice(&size.to_be_bytes());
}

fn full(
    out: &mut Vec<u8>,
    kind: &[u8; 4],
    version: u8,
    flags: u32,
    body: impl FnOnce(&mut Vec<u8>),
) {
    boxed(out, kind, |o| {
        o.extend_from_slice(&((u32::from(version) << 24) | flags).to_be_bytes());
        body(o);
    });
}

fn u16(o: &mut Vec<u8>, v: u16) {
    o.extend_from_slice(&v.to_be_bytes());
}
fn u32(o: &mut Vec<u8>, v: u32) {
    o.extend_from_slice(&v.to_be_bytes());
}
fn u64(o: &mut Vec<u8>, v: u64) {
    o.extend_from_slice(&v.to_be_bytes());
}

/// The whole file: `ftyp`, then `moov` and `mdat` in the order asked for. `data` holds
/// every sample's bytes at the offsets the samples record.
pub(crate) fn file(tracks: &[TrackData], data: &[u8], moov_first: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 4096);
    let brand: &[u8; 4] = if tracks.iter().any(|t| matches!(t.entry, Entry::Av1 { .. })) {
        b"av01"
    } else {
        b"mp41"
    };
    boxed(&mut out, b"ftyp", |o| {
        o.extend_from_slice(b"isom");
        u32(o, 0x200);
        for b in [b"isom", b"iso2", brand, b"mp41"] {
            o.extend_from_slice(b);
        }
    });
    let wide = data.len() as u64 + 1_000_000 > u64::from(u32::MAX);
    let mdat_header = if wide { 16 } else { 8 };
    let base = if moov_first {
        // The moov's size does not depend on the offsets (fixed-width entries).
        let probe = moov(tracks, 0, wide);
        out.len() as u64 + probe.len() as u64 + mdat_header
    } else {
        out.len() as u64 + mdat_header
    };
    let moov_box = moov(tracks, base, wide);
    if moov_first {
        out.extend_from_slice(&moov_box);
    }
    if wide {
        u32(&mut out, 1);
        out.extend_from_slice(b"mdat");
        u64(&mut out, data.len() as u64 + 16);
    } else {
        u32(&mut out, data.len() as u32 + 8);
        out.extend_from_slice(b"mdat");
    }
    out.extend_from_slice(data);
    if !moov_first {
        out.extend_from_slice(&moov_box);
    }
    out
}

fn track_duration(t: &TrackData) -> u64 {
    t.samples.iter().map(|s| u64::from(s.duration)).sum()
}

const MOVIE_TIMESCALE: u32 = 1000;

fn moov(tracks: &[TrackData], base: u64, wide: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let movie_duration = tracks
        .iter()
        .map(|t| track_duration(t) * u64::from(MOVIE_TIMESCALE) / u64::from(t.timescale.max(1)))
        .max()
        .unwrap_or(0);
    boxed(&mut out, b"moov", |o| {
        full(o, b"mvhd", 1, 0, |o| {
            u64(o, 0);
            u64(o, 0);
            u32(o, MOVIE_TIMESCALE);
            u64(o, movie_duration);
            u32(o, 0x0001_0000);
            u16(o, 0x0100);
            o.extend_from_slice(&[0; 10]);
            matrix(o);
            o.extend_from_slice(&[0; 24]);
            u32(o, tracks.len() as u32 + 1);
        });
        for (i, t) in tracks.iter().enumerate() {
            trak(o, t, i as u32 + 1, base, wide);
        }
    });
    out
}

fn matrix(o: &mut Vec<u8>) {
    for v in [0x0001_0000u32, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000] {
        u32(o, v);
    }
}

fn trak(o: &mut Vec<u8>, t: &TrackData, id: u32, base: u64, wide: bool) {
    let duration = track_duration(t);
    let (width, height) = match &t.entry {
        Entry::Av1 { width, height, .. } | Entry::H264 { width, height, .. } => (*width, *height),
        _ => (0, 0),
    };
    boxed(o, b"trak", |o| {
        full(o, b"tkhd", 1, 3, |o| {
            u64(o, 0);
            u64(o, 0);
            u32(o, id);
            u32(o, 0);
            u64(
                o,
                duration * u64::from(MOVIE_TIMESCALE) / u64::from(t.timescale.max(1)),
            );
            o.extend_from_slice(&[0; 8]);
            u16(o, 0);
            u16(o, 0);
            u16(o, if t.entry.is_video() { 0 } else { 0x0100 });
            u16(o, 0);
            matrix(o);
            u32(o, u32::from(width) << 16);
            u32(o, u32::from(height) << 16);
        });
        boxed(o, b"mdia", |o| {
            full(o, b"mdhd", 1, 0, |o| {
                u64(o, 0);
                u64(o, 0);
                u32(o, t.timescale);
                u64(o, duration);
                u16(o, 0x55c4); // "und"
                u16(o, 0);
            });
            full(o, b"hdlr", 0, 0, |o| {
                u32(o, 0);
                o.extend_from_slice(if t.entry.is_video() { b"vide" } else { b"soun" });
                o.extend_from_slice(&[0; 12]);
                o.extend_from_slice(if t.entry.is_video() {
                    b"VideoHandler\0"
                } else {
                    b"SoundHandler\0"
                });
            });
            boxed(o, b"minf", |o| {
                if t.entry.is_video() {
                    full(o, b"vmhd", 0, 1, |o| o.extend_from_slice(&[0; 8]));
                } else {
                    full(o, b"smhd", 0, 0, |o| o.extend_from_slice(&[0; 4]));
                }
                boxed(o, b"dinf", |o| {
                    full(o, b"dref", 0, 0, |o| {
                        u32(o, 1);
                        full(o, b"url ", 0, 1, |_| {});
                    });
                });
                stbl(o, t, base, wide);
            });
        });
    });
}

fn stbl(o: &mut Vec<u8>, t: &TrackData, base: u64, wide: bool) {
    boxed(o, b"stbl", |o| {
        full(o, b"stsd", 0, 0, |o| {
            u32(o, 1);
            entry(o, &t.entry);
        });
        let mut runs: Vec<(u32, u32)> = Vec::new();
        for s in &t.samples {
            match runs.last_mut() {
                Some((n, d)) if *d == s.duration => *n += 1,
                _ => runs.push((1, s.duration)),
            }
        }
        full(o, b"stts", 0, 0, |o| {
            u32(o, runs.len() as u32);
            for (n, d) in &runs {
                u32(o, *n);
                u32(o, *d);
            }
        });
        if t.samples.iter().any(|s| s.composition_offset != 0) {
            full(o, b"ctts", 1, 0, |o| {
                u32(o, t.samples.len() as u32);
                for s in &t.samples {
                    u32(o, 1);
                    o.extend_from_slice(&s.composition_offset.to_be_bytes());
                }
            });
        }
        if t.samples.iter().any(|s| !s.keyframe) {
            let sync: Vec<u32> = (1..)
                .zip(&t.samples)
                .filter(|(_, s)| s.keyframe)
                .map(|(n, _)| n)
                .collect();
            full(o, b"stss", 0, 0, |o| {
                u32(o, sync.len() as u32);
                for n in sync {
                    u32(o, n);
                }
            });
        }
        // One sample per chunk: simple, and any interleaving of tracks stays exact.
        full(o, b"stsc", 0, 0, |o| {
            u32(o, 1);
            u32(o, 1);
            u32(o, 1);
            u32(o, 1);
        });
        full(o, b"stsz", 0, 0, |o| {
            u32(o, 0);
            u32(o, t.samples.len() as u32);
            for s in &t.samples {
                u32(o, s.size);
            }
        });
        full(o, if wide { b"co64" } else { b"stco" }, 0, 0, |o| {
            u32(o, t.samples.len() as u32);
            for s in &t.samples {
                if wide {
                    u64(o, base + s.offset);
                } else {
                    u32(o, (base + s.offset) as u32);
                }
            }
        });
    });
}

fn visual(o: &mut Vec<u8>, kind: &[u8; 4], width: u16, height: u16, config: (&[u8; 4], &[u8])) {
    boxed(o, kind, |o| {
        o.extend_from_slice(&[0; 6]);
        u16(o, 1);
        o.extend_from_slice(&[0; 16]);
        u16(o, width);
        u16(o, height);
        u32(o, 0x0048_0000);
        u32(o, 0x0048_0000);
        u32(o, 0);
        u16(o, 1);
        o.extend_from_slice(&[0; 32]);
        u16(o, 0x18);
        o.extend_from_slice(&(-1i16).to_be_bytes());
        boxed(o, config.0, |o| o.extend_from_slice(config.1));
    });
}

fn audio(
    o: &mut Vec<u8>,
    kind: &[u8; 4],
    channels: u16,
    bits: u16,
    rate: u32,
    config: Option<(&[u8; 4], Vec<u8>)>,
) {
    boxed(o, kind, |o| {
        o.extend_from_slice(&[0; 6]);
        u16(o, 1);
        o.extend_from_slice(&[0; 8]);
        u16(o, channels);
        u16(o, bits);
        u32(o, 0);
        // 16.16 fixed point; rates above 65535 Hz do not fit and read as 0.
        u32(o, if rate <= 0xffff { rate << 16 } else { 0 });
        if let Some((kind, body)) = config {
            boxed(o, kind, |o| o.extend_from_slice(&body));
        }
    });
}

fn entry(o: &mut Vec<u8>, e: &Entry) {
    match e {
        Entry::Av1 {
            width,
            height,
            av1c,
        } => visual(o, b"av01", *width, *height, (b"av1C", av1c)),
        Entry::H264 {
            width,
            height,
            avcc,
        } => visual(o, b"avc1", *width, *height, (b"avcC", avcc)),
        Entry::Aac {
            rate,
            channels,
            asc,
        } => audio(o, b"mp4a", *channels, 16, *rate, Some((b"esds", esds(asc)))),
        Entry::Opus { channels, dops } => audio(
            o,
            b"Opus",
            *channels,
            16,
            48_000,
            Some((b"dOps", dops.clone())),
        ),
        Entry::Pcm16 { rate, channels } => audio(o, b"sowt", *channels, 16, *rate, None),
    }
}

/// An `esds` payload (version/flags included) for AAC with AudioSpecificConfig `asc`.
fn esds(asc: &[u8]) -> Vec<u8> {
    let len = |n: usize| -> [u8; 4] { [0x80, 0x80, 0x80, (n & 0x7f) as u8] };
    let asc = &asc[..asc.len().min(100)];
    let dsi = 5 + asc.len();
    let dcd = 5 + 13 + dsi;
    let es = 5 + 3 + dcd + 5 + 1;
    let mut o = vec![0, 0, 0, 0];
    o.push(0x03);
    o.extend_from_slice(&len(es - 5));
    o.extend_from_slice(&[0, 1, 0]);
    o.push(0x04);
    o.extend_from_slice(&len(dcd - 5));
    o.extend_from_slice(&[0x40, 0x15, 0, 0, 0]);
    o.extend_from_slice(&[0; 8]);
    o.push(0x05);
    o.extend_from_slice(&len(asc.len()));
    o.extend_from_slice(asc);
    o.push(0x06);
    o.extend_from_slice(&len(1));
    o.push(0x02);
    o
}
