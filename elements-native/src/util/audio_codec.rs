//! A symphonia audio decoder fed one packet at a time, writing interleaved S16LE or
//! F32LE through [`AudioOut`].
//!
//! A key design decision: only symphonia's codecs are used, never its format readers.
//! Those pull from a blocking `Read`, while elements are pushed arbitrary chunks; our
//! own framers (one per element) cut packets, so each packet decodes as soon as it is
//! complete and every error can name the byte offset of its packet.

use parallax_core::{ElementError, FlowError, ProcessContext};
use symphonia::core::audio::{Audio, GenericAudioBufferRef};
use symphonia::core::codecs::audio::{AudioCodecParameters, AudioDecoder, AudioDecoderOptions};
use symphonia::core::packet::PacketRef;
use symphonia::core::units::{Duration, Timestamp};

use super::audio_out::{AudioOut, AudioShape, MAX_CHANNELS, SampleFormat};
use super::interleave;

pub(crate) use symphonia::core::codecs::audio::well_known::{
    CODEC_ID_AAC, CODEC_ID_MP3, CODEC_ID_VORBIS,
};

/// Frames to drop at the start and the most to write in all (gapless playback from
/// an encoder's delay and padding, e.g. the LAME tag of an MP3).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Trim {
    pub(crate) skip: u64,
    pub(crate) total: Option<u64>,
}

/// One codec instance plus what it has written.
pub(crate) struct PacketDecoder {
    decoder: Box<dyn AudioDecoder>,
    /// Frames decoded so far (before trimming), for [`Trim`].
    decoded: u64,
    written: u64,
    pub(crate) trim: Trim,
}

impl PacketDecoder {
    /// A decoder for `params.codec` (one of the `CODEC_ID_*` above).
    ///
    /// # Errors
    ///
    /// [`ElementError`] (stream) when symphonia refuses the parameters, naming `offset`,
    /// the stream position the parameters came from.
    pub(crate) fn new(params: &AudioCodecParameters, offset: u64) -> Result<Self, ElementError> {
        use symphonia::default::codecs::{AacDecoder, MpaDecoder, VorbisDecoder};
        let opts = AudioDecoderOptions::default();
        let made: symphonia::core::errors::Result<Box<dyn AudioDecoder>> = match params.codec {
            CODEC_ID_MP3 => MpaDecoder::try_new(params, &opts).map(|d| Box::new(d) as _),
            CODEC_ID_AAC => AacDecoder::try_new(params, &opts).map(|d| Box::new(d) as _),
            CODEC_ID_VORBIS => VorbisDecoder::try_new(params, &opts).map(|d| Box::new(d) as _),
            other => {
                return Err(ElementError::stream(format!(
                    "no decoder for codec {other:?}"
                )));
            }
        };
        let decoder = made.map_err(|e| {
            ElementError::stream(format!(
                "unsupported stream parameters at byte offset {offset}: {e}"
            ))
        })?;
        Ok(PacketDecoder {
            decoder,
            decoded: 0,
            written: 0,
            trim: Trim::default(),
        })
    }

    /// Decodes one packet (which started at stream offset `offset`) and pushes what it
    /// gives in `format`.
    ///
    /// # Errors
    ///
    /// [`FlowError::Error`] with a stream error naming `offset` for a corrupt packet;
    /// what allocation returns.
    pub(crate) fn decode(
        &mut self,
        data: &[u8],
        offset: u64,
        format: SampleFormat,
        out: &mut AudioOut,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        let packet = PacketRef::new(0, Timestamp::ZERO, Duration::ZERO, data);
        let decoded = match self.decoder.decode_ref(&packet) {
            Ok(decoded) => decoded,
            Err(e) => {
                return Err(ctx.error(ElementError::stream(format!(
                    "corrupt packet at byte offset {offset}: {e}"
                ))));
            }
        };
        let spec = decoded.spec();
        let shape = AudioShape::new(format, spec.rate(), spec.channels().count(), offset)
            .map_err(|e| ctx.error(e))?;
        let frames = decoded.frames() as u64;
        let start = self.decoded;
        self.decoded += frames;
        // The part of this packet inside [skip, skip + total).
        let from = self.trim.skip.saturating_sub(start).min(frames);
        let mut to = frames;
        if let Some(total) = self.trim.total {
            let left = total.saturating_sub(self.written);
            to = to.min(from + left);
        }
        if to <= from {
            return Ok(());
        }
        let (from, to) = (from as usize, to as usize);
        self.written += (to - from) as u64;
        if let GenericAudioBufferRef::F32(buf) = &decoded
            && buf.num_planes() == shape.channels
        {
            // All our codecs decode to f32: our own interleave, faster than the generic one.
            let mut planes: [&[f32]; MAX_CHANNELS] = [&[]; MAX_CHANNELS];
            for (dst, plane) in planes.iter_mut().zip(buf.iter_planes()) {
                *dst = &plane[from..to];
            }
            let planes = &planes[..shape.channels];
            return out.push(ctx, shape, to - from, |dst| match format {
                SampleFormat::S16Le => interleave::s16le(planes, dst),
                SampleFormat::F32Le => interleave::f32le(planes, dst),
            });
        }
        let slice = decoded.slice(from..to);
        out.push(ctx, shape, to - from, |dst| match format {
            SampleFormat::S16Le => slice.copy_bytes_interleaved_as::<i16, _>(dst),
            SampleFormat::F32Le => slice.copy_bytes_interleaved_as::<f32, _>(dst),
        })
    }
}
