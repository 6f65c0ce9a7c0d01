//! A track's sample tables (stsz, stco/co64, stsc, stts, ctts, stss) and a cursor that
//! walks them one sample at a time.
//!
//! A key design decision: samples are never expanded into a per-sample list. The cursor
//! advances through the run-length tables in step, so memory is the tables as stored in
//! the file (bounded by the moov box) whatever the track's length.

use super::boxes::{Cursor, Mp4Error};

/// Sample sizes: one for all, or one per sample.
#[derive(Debug, Clone, Default)]
pub(crate) enum Sizes {
    #[default]
    Empty,
    Constant(u32),
    Table(Vec<u32>),
}

/// One `stsc` run: from chunk `first_chunk` (1-based) on, chunks hold this many samples.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ChunkRun {
    pub(crate) first_chunk: u32,
    pub(crate) samples_per_chunk: u32,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct SampleTables {
    pub(crate) count: u32,
    pub(crate) sizes: Sizes,
    pub(crate) chunk_offsets: Vec<u64>,
    pub(crate) chunks: Vec<ChunkRun>,
    /// `stts`: (sample count, duration).
    pub(crate) durations: Vec<(u32, u32)>,
    /// `ctts`: (sample count, composition offset).
    pub(crate) composition: Vec<(u32, i64)>,
    /// `stss`: 1-based numbers of sync samples, ascending; `None`: every sample is one.
    pub(crate) sync: Option<Vec<u32>>,
}

/// One sample as the tables describe it (times in the track's timescale).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sample {
    pub(crate) number: u32,
    pub(crate) offset: u64,
    pub(crate) size: u32,
    pub(crate) dts: u64,
    pub(crate) composition_offset: i64,
    pub(crate) duration: u32,
    pub(crate) keyframe: bool,
}

impl SampleTables {
    pub(crate) fn parse_stsz(&mut self, mut c: Cursor<'_>) -> Result<(), Mp4Error> {
        c.version_flags("stsz")?;
        let size = c.u32("stsz sample size")?;
        if size != 0 {
            self.count = c.u32("stsz sample count")?;
            self.sizes = Sizes::Constant(size);
        } else {
            let n = c.count(4, "stsz sample count")?;
            let mut sizes = Vec::with_capacity(n);
            for _ in 0..n {
                sizes.push(c.u32("stsz entry")?);
            }
            self.count = n as u32;
            self.sizes = Sizes::Table(sizes);
        }
        Ok(())
    }

    /// `stz2`: compact sizes of 4, 8 or 16 bits.
    pub(crate) fn parse_stz2(&mut self, mut c: Cursor<'_>) -> Result<(), Mp4Error> {
        c.version_flags("stz2")?;
        let offset = c.offset();
        let field = c.u32("stz2 field size")? & 0xff;
        let n = c.u32("stz2 sample count")? as usize;
        let bits = match field {
            4 | 8 | 16 => field as usize,
            _ => {
                return Err(Mp4Error::invalid(
                    "stz2",
                    offset,
                    format!("field size {field}"),
                ));
            }
        };
        if n.checked_mul(bits)
            .is_none_or(|b| b.div_ceil(8) > c.remaining())
        {
            return Err(Mp4Error::Truncated {
                what: "stz2 table",
                offset,
            });
        }
        let raw = c.rest();
        let sizes = (0..n)
            .map(|i| match bits {
                4 => u32::from(if i % 2 == 0 {
                    raw[i / 2] >> 4
                } else {
                    raw[i / 2] & 15
                }),
                8 => u32::from(raw[i]),
                _ => u32::from(u16::from_be_bytes([raw[2 * i], raw[2 * i + 1]])),
            })
            .collect();
        self.count = n as u32;
        self.sizes = Sizes::Table(sizes);
        Ok(())
    }

    pub(crate) fn parse_stco(&mut self, mut c: Cursor<'_>, wide: bool) -> Result<(), Mp4Error> {
        c.version_flags("stco")?;
        let n = c.count(if wide { 8 } else { 4 }, "chunk offset count")?;
        let mut offsets = Vec::with_capacity(n);
        for _ in 0..n {
            offsets.push(if wide {
                c.u64("co64 entry")?
            } else {
                u64::from(c.u32("stco entry")?)
            });
        }
        self.chunk_offsets = offsets;
        Ok(())
    }

    pub(crate) fn parse_stsc(&mut self, mut c: Cursor<'_>) -> Result<(), Mp4Error> {
        c.version_flags("stsc")?;
        let n = c.count(12, "stsc entry count")?;
        let mut runs: Vec<ChunkRun> = Vec::with_capacity(n);
        for _ in 0..n {
            let offset = c.offset();
            let first_chunk = c.u32("stsc first chunk")?;
            let samples_per_chunk = c.u32("stsc samples per chunk")?;
            c.u32("stsc description index")?;
            if first_chunk == 0 || runs.last().is_some_and(|r| r.first_chunk >= first_chunk) {
                return Err(Mp4Error::invalid(
                    "stsc entry",
                    offset,
                    format!("first chunk {first_chunk} is not ascending from 1"),
                ));
            }
            runs.push(ChunkRun {
                first_chunk,
                samples_per_chunk,
            });
        }
        self.chunks = runs;
        Ok(())
    }

    pub(crate) fn parse_stts(&mut self, mut c: Cursor<'_>) -> Result<(), Mp4Error> {
        c.version_flags("stts")?;
        let n = c.count(8, "stts entry count")?;
        let mut runs = Vec::with_capacity(n);
        for _ in 0..n {
            runs.push((c.u32("stts count")?, c.u32("stts delta")?));
        }
        self.durations = runs;
        Ok(())
    }

    pub(crate) fn parse_ctts(&mut self, mut c: Cursor<'_>) -> Result<(), Mp4Error> {
        c.version_flags("ctts")?;
        let n = c.count(8, "ctts entry count")?;
        let mut runs = Vec::with_capacity(n);
        for _ in 0..n {
            let count = c.u32("ctts count")?;
            // Version 0 is unsigned in the spec, but writers put negative offsets in it
            // too; reading it as signed is what ffmpeg and GStreamer do.
            let value = i64::from(c.i32("ctts offset")?);
            runs.push((count, value));
        }
        self.composition = runs;
        Ok(())
    }

    pub(crate) fn parse_stss(&mut self, mut c: Cursor<'_>) -> Result<(), Mp4Error> {
        c.version_flags("stss")?;
        let n = c.count(4, "stss entry count")?;
        let mut sync = Vec::with_capacity(n);
        for _ in 0..n {
            sync.push(c.u32("stss entry")?);
        }
        self.sync = Some(sync);
        Ok(())
    }

    fn size_of(&self, index: u32) -> Option<u32> {
        match &self.sizes {
            Sizes::Empty => None,
            Sizes::Constant(s) => Some(*s),
            Sizes::Table(t) => t.get(index as usize).copied(),
        }
    }
}

/// Walks a track's samples in order.
#[derive(Debug, Clone, Default)]
pub(crate) struct SampleCursor {
    index: u32,
    /// 0-based chunk and where in it the next sample is.
    chunk: u32,
    in_chunk: u32,
    chunk_len: u32,
    chunk_run: usize,
    byte_in_chunk: u64,
    stts_run: usize,
    stts_used: u32,
    ctts_run: usize,
    ctts_used: u32,
    sync_at: usize,
    dts: u64,
    started: bool,
}

impl SampleCursor {
    /// Samples per chunk for 0-based chunk `chunk`, from the stsc runs.
    fn chunk_len(t: &SampleTables, run: &mut usize, chunk: u32) -> u32 {
        while *run + 1 < t.chunks.len() && t.chunks[*run + 1].first_chunk <= chunk + 1 {
            *run += 1;
        }
        t.chunks.get(*run).map_or(0, |r| r.samples_per_chunk)
    }

    /// The next sample, `None` after the last; `at` is the moov offset for errors.
    pub(crate) fn next(&mut self, t: &SampleTables, at: u64) -> Result<Option<Sample>, Mp4Error> {
        if self.index >= t.count {
            return Ok(None);
        }
        if !self.started {
            self.started = true;
            self.chunk_len = Self::chunk_len(t, &mut self.chunk_run, 0);
        }
        // Skip chunks that hold no sample (an stsc run of zero) or are used up; bounded
        // by the chunk count.
        while self.in_chunk >= self.chunk_len {
            self.chunk += 1;
            self.in_chunk = 0;
            self.byte_in_chunk = 0;
            if self.chunk as usize >= t.chunk_offsets.len() {
                return Err(Mp4Error::invalid(
                    "sample table",
                    at,
                    format!(
                        "sample {} lies beyond the last of {} chunks",
                        self.index + 1,
                        t.chunk_offsets.len()
                    ),
                ));
            }
            self.chunk_len = Self::chunk_len(t, &mut self.chunk_run, self.chunk);
        }
        let chunk_offset = t
            .chunk_offsets
            .get(self.chunk as usize)
            .copied()
            .ok_or_else(|| {
                Mp4Error::invalid(
                    "sample table",
                    at,
                    format!("no chunk offset for sample {}", self.index + 1),
                )
            })?;
        let size = t.size_of(self.index).ok_or_else(|| {
            Mp4Error::invalid(
                "sample table",
                at,
                format!("no size for sample {}", self.index + 1),
            )
        })?;
        let offset = chunk_offset
            .checked_add(self.byte_in_chunk)
            .ok_or_else(|| Mp4Error::invalid("sample table", at, "sample offset overflows"))?;
        // Durations: the last run's delta carries on if stts is short (as ffmpeg reads it).
        while self.stts_run < t.durations.len() && self.stts_used >= t.durations[self.stts_run].0 {
            self.stts_run += 1;
            self.stts_used = 0;
        }
        let duration = t
            .durations
            .get(self.stts_run)
            .or(t.durations.last())
            .map_or(0, |r| r.1);
        self.stts_used = self.stts_used.saturating_add(1);
        while self.ctts_run < t.composition.len()
            && self.ctts_used >= t.composition[self.ctts_run].0
        {
            self.ctts_run += 1;
            self.ctts_used = 0;
        }
        let composition_offset = t.composition.get(self.ctts_run).map_or(0, |r| r.1);
        self.ctts_used = self.ctts_used.saturating_add(1);
        let number = self.index + 1;
        let keyframe = match &t.sync {
            None => true,
            Some(sync) => {
                while self.sync_at < sync.len() && sync[self.sync_at] < number {
                    self.sync_at += 1;
                }
                sync.get(self.sync_at) == Some(&number)
            }
        };
        let sample = Sample {
            number,
            offset,
            size,
            dts: self.dts,
            composition_offset,
            duration,
            keyframe,
        };
        self.dts = self.dts.saturating_add(u64::from(duration));
        self.index += 1;
        self.in_chunk += 1;
        self.byte_in_chunk += u64::from(size);
        Ok(Some(sample))
    }
}
