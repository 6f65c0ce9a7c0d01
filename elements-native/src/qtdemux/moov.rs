//! The `moov` box: one [`Track`] per `trak`, with its caps, timescale, edit and sample
//! tables.

use parallax_core::{ClockTime, Structure};

use super::boxes::{Cursor, Mp4Error};
use super::entry::{self, TrackKind};
use super::samples::SampleTables;

#[derive(Debug, Clone)]
pub(crate) struct Track {
    pub(crate) id: u32,
    pub(crate) kind: TrackKind,
    pub(crate) timescale: u32,
    /// Media duration in `timescale` units (0 when unknown).
    pub(crate) duration: u64,
    pub(crate) caps: Structure,
    pub(crate) tables: SampleTables,
    /// Media time the presentation starts at (first non-empty edit), subtracted from
    /// every timestamp; AAC priming and B-frame delay live here.
    pub(crate) edit_start: i64,
    /// Media time of leading empty edits, added to every timestamp.
    pub(crate) edit_delay: u64,
}

impl Track {
    /// `value` ticks of the track's timescale as a time, `None` when negative (samples
    /// before the edit's start, which ffmpeg also reports with negative times).
    pub(crate) fn time(&self, value: i64) -> Option<ClockTime> {
        let shifted = value
            .checked_sub(self.edit_start)?
            .checked_add(i64::try_from(self.edit_delay).ok()?)?;
        let ticks = u64::try_from(shifted).ok()?;
        Some(ClockTime::scale(ticks, 1, u64::from(self.timescale)))
    }
}

/// Parses the payload of a `moov` box.
pub(crate) fn parse(mut moov: Cursor<'_>) -> Result<Vec<Track>, Mp4Error> {
    let mut movie_timescale = 0;
    let mut tracks = Vec::new();
    while let Some((kind, payload)) = moov.next_box()? {
        match &kind {
            b"mvhd" => movie_timescale = mvhd_timescale(payload)?,
            b"trak" => {
                if let Some(track) = trak(payload, movie_timescale)? {
                    tracks.push(track);
                }
            }
            _ => {}
        }
    }
    Ok(tracks)
}

fn mvhd_timescale(mut c: Cursor<'_>) -> Result<u32, Mp4Error> {
    let (version, _) = c.version_flags("mvhd")?;
    c.skip(if version == 1 { 16 } else { 8 }, "mvhd times")?;
    c.u32("mvhd timescale")
}

/// A track; `None` for tracks without media or samples description (hint, chapters).
fn trak(trak: Cursor<'_>, movie_timescale: u32) -> Result<Option<Track>, Mp4Error> {
    let at = trak.offset();
    let Some(mut tkhd) = trak.find(b"tkhd")? else {
        return Err(Mp4Error::invalid("trak", at, "no tkhd"));
    };
    let (version, _) = tkhd.version_flags("tkhd")?;
    tkhd.skip(if version == 1 { 16 } else { 8 }, "tkhd times")?;
    let id = tkhd.u32("track id")?;
    let Some(mdia) = trak.find(b"mdia")? else {
        return Ok(None);
    };
    let Some(mut mdhd) = mdia.find(b"mdhd")? else {
        return Err(Mp4Error::invalid("mdia", mdia.offset(), "no mdhd"));
    };
    let (version, _) = mdhd.version_flags("mdhd")?;
    mdhd.skip(if version == 1 { 16 } else { 8 }, "mdhd times")?;
    let ts_offset = mdhd.offset();
    let timescale = mdhd.u32("mdhd timescale")?;
    if timescale == 0 {
        return Err(Mp4Error::invalid("mdhd", ts_offset, "timescale 0"));
    }
    let duration = if version == 1 {
        mdhd.u64("mdhd duration")?
    } else {
        u64::from(mdhd.u32("mdhd duration")?)
    };
    let kind = match mdia.find(b"hdlr")? {
        Some(mut hdlr) => {
            hdlr.version_flags("hdlr")?;
            hdlr.u32("hdlr pre-defined")?;
            match &hdlr.fourcc("handler type")? {
                b"vide" => TrackKind::Video,
                b"soun" => TrackKind::Audio,
                _ => TrackKind::Other,
            }
        }
        None => TrackKind::Other,
    };
    let Some(stbl) = mdia
        .find(b"minf")?
        .map(|minf| minf.find(b"stbl"))
        .transpose()?
        .flatten()
    else {
        return Ok(None);
    };
    let mut tables = SampleTables::default();
    let mut caps = None;
    let mut c = stbl;
    while let Some((k, payload)) = c.next_box()? {
        match &k {
            b"stsd" => caps = Some(entry::parse_stsd(payload, kind, timescale)?),
            b"stsz" => tables.parse_stsz(payload)?,
            b"stz2" => tables.parse_stz2(payload)?,
            b"stco" => tables.parse_stco(payload, false)?,
            b"co64" => tables.parse_stco(payload, true)?,
            b"stsc" => tables.parse_stsc(payload)?,
            b"stts" => tables.parse_stts(payload)?,
            b"ctts" => tables.parse_ctts(payload)?,
            b"stss" => tables.parse_stss(payload)?,
            _ => {}
        }
    }
    let Some(mut caps) = caps else {
        return Ok(None);
    };
    if kind == TrackKind::Video
        && let Some(&(_, delta)) = tables.durations.first()
    {
        caps.set("framerate", entry::framerate(timescale, delta));
    }
    let (edit_start, edit_delay) = match trak.find(b"edts")?.map(|e| e.find(b"elst")).transpose()? {
        Some(Some(elst)) => edits(elst, movie_timescale, timescale)?,
        _ => (0, 0),
    };
    Ok(Some(Track {
        id,
        kind,
        timescale,
        duration,
        caps,
        tables,
        edit_start,
        edit_delay,
    }))
}

/// The start of the first non-empty edit and the length of the empty ones before it (in
/// media time). Later edits (cuts, repeats) are not applied: samples play straight on.
fn edits(
    mut c: Cursor<'_>,
    movie_timescale: u32,
    media_timescale: u32,
) -> Result<(i64, u64), Mp4Error> {
    let (version, _) = c.version_flags("elst")?;
    let n = c.count(if version == 1 { 20 } else { 12 }, "elst entry count")?;
    let mut delay = 0u64;
    for _ in 0..n {
        let (duration, media_time) = if version == 1 {
            (c.u64("edit duration")?, c.u64("edit media time")? as i64)
        } else {
            (
                u64::from(c.u32("edit duration")?),
                i64::from(c.i32("edit media time")?),
            )
        };
        c.u32("edit rate")?;
        if media_time == -1 {
            if movie_timescale > 0 {
                let ticks = u128::from(duration) * u128::from(media_timescale)
                    / u128::from(movie_timescale);
                delay = delay.saturating_add(u64::try_from(ticks).unwrap_or(u64::MAX));
            }
            continue;
        }
        return Ok((media_time, delay));
    }
    Ok((0, delay))
}
