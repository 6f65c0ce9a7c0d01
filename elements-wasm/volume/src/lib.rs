//! `volume`: scales interleaved S16LE or F32LE samples by the `volume` property (0 to 10,
//! changeable while running), or silences them with `mute`. At volume 1 and unmuted the
//! input is forwarded without a copy.

use parallax_guest::prelude::*;

const CAPS: &str = "audio/x-raw, format={ S16LE, F32LE }, layout=interleaved, rate=[ 1, 2147483647 ], channels=[ 1, 2147483647 ]";
const DEFAULT_VOLUME: f64 = 1.0;
const DEFAULT_MUTE: bool = false;

/// Sample formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    S16,
    F32,
}

/// Property values.
#[derive(Debug, Clone, Copy)]
struct Settings {
    volume: f64,
    mute: bool,
}

/// The element.
struct Volume {
    settings: Settings,
    format: Option<Format>,
}

/// Scales `src` into `dst` (as many whole samples as both hold) by `gain`.
fn scale(format: Format, gain: f64, src: &[u8], dst: &mut [u8]) {
    match format {
        Format::S16 => {
            // Q16 fixed point, as GStreamer's volume does for integer formats.
            let g = (gain * 65536.0).round() as i64;
            for (s, d) in src.chunks_exact(2).zip(dst.chunks_exact_mut(2)) {
                let v = (i64::from(i16::from_le_bytes([s[0], s[1]])) * g) >> 16;
                let v = v.clamp(i64::from(i16::MIN), i64::from(i16::MAX)) as i16;
                d.copy_from_slice(&v.to_le_bytes());
            }
        }
        Format::F32 => {
            let g = gain as f32;
            for (s, d) in src.chunks_exact(4).zip(dst.chunks_exact_mut(4)) {
                let v = f32::from_le_bytes([s[0], s[1], s[2], s[3]]) * g;
                d.copy_from_slice(&v.to_le_bytes());
            }
        }
    }
}

impl Element for Volume {
    fn info() -> Info {
        Info::new(
            "volume",
            "Filter/Effect/Audio",
            "Scales audio samples by a factor, or mutes them",
            env!("CARGO_PKG_VERSION"),
        )
        .pad(PadTemplate::sink(CAPS))
        .pad(PadTemplate::src(CAPS))
        .property(
            PropSpec::double(
                "volume",
                0.0,
                10.0,
                DEFAULT_VOLUME,
                "Volume factor, 1.0 = 100%",
            )
            .mutable(),
        )
        .property(PropSpec::bool("mute", DEFAULT_MUTE, "Output silence").mutable())
        .hints(Hints {
            cpu_bound: true,
            rt_safe: true,
        })
    }

    fn new(props: &Props) -> Result<Self, Error> {
        Ok(Volume {
            settings: Settings {
                volume: props.f64("volume")?,
                mute: props.bool("mute")?,
            },
            format: None,
        })
    }

    fn set_property(&mut self, name: &str, value: &PropValue<'_>) -> Result<(), Error> {
        match name {
            "volume" => self.settings.volume = value.as_f64()?,
            "mute" => self.settings.mute = value.as_bool()?,
            _ => return Err(Error::new(format!("no property {name}"))),
        }
        Ok(())
    }

    fn property(&self, name: &str) -> Option<String> {
        match name {
            "volume" => Some(format!("{:?}", self.settings.volume)),
            "mute" => Some(self.settings.mute.to_string()),
            _ => None,
        }
    }

    fn set_caps(&mut self, sink: &[Caps], _src: &[Caps]) -> Result<u32, Error> {
        let format = sink
            .first()
            .and_then(|c| c.structure(0))
            .and_then(|s| s.get_str("format"));
        self.format = Some(match format {
            Some("S16LE") => Format::S16,
            Some("F32LE") => Format::F32,
            other => return Err(Error::new(format!("unsupported format {other:?}"))),
        });
        Ok(0)
    }

    fn process(
        &mut self,
        input: InputBuffer<'_>,
        outputs: &mut Outputs<'_>,
    ) -> Result<(), FlowError> {
        let format = self.format.ok_or(FlowError::NotNegotiated)?;
        let Settings { volume, mute } = self.settings;
        if !mute && volume == 1.0 {
            return outputs.forward_input();
        }
        let src = input.data();
        let width = match format {
            Format::S16 => 2,
            Format::F32 => 4,
        };
        if !src.len().is_multiple_of(width) {
            return Err(FlowError::error(format!(
                "a {}-byte buffer is not a whole number of {width}-byte samples",
                src.len()
            )));
        }
        let gain = if mute { 0.0 } else { volume };
        let len = outputs.write(0, *input.meta(), |dst| {
            let n = src.len().min(dst.len());
            scale(format, gain, &src[..n], &mut dst[..n]);
            n
        })?;
        if len < src.len() {
            return Err(FlowError::error("output slot smaller than the input"));
        }
        Ok(())
    }
}

parallax_guest::export_element!(Volume);

#[cfg(test)]
mod tests {
    use super::*;

    fn s16(v: &[i16]) -> Vec<u8> {
        v.iter().flat_map(|s| s.to_le_bytes()).collect()
    }

    #[test]
    fn s16_scales_and_clamps() {
        let src = s16(&[1000, -1000, 30000, -30000]);
        let mut dst = vec![0; src.len()];
        scale(Format::S16, 2.0, &src, &mut dst);
        assert_eq!(dst, s16(&[2000, -2000, i16::MAX, i16::MIN]));
        scale(Format::S16, 0.5, &src, &mut dst);
        assert_eq!(dst, s16(&[500, -500, 15000, -15000]));
    }

    #[test]
    fn f32_scales() {
        let src: Vec<u8> = [0.5f32, -0.25]
            .iter()
            .flat_map(|s| s.to_le_bytes())
            .collect();
        let mut dst = vec![0; 8];
        scale(Format::F32, 2.0, &src, &mut dst);
        assert_eq!(f32::from_le_bytes([dst[0], dst[1], dst[2], dst[3]]), 1.0);
        assert_eq!(f32::from_le_bytes([dst[4], dst[5], dst[6], dst[7]]), -0.5);
    }

    #[test]
    fn unity_gain_forwards_and_mute_silences() {
        let specs = Volume::info().properties;
        let mut v = Volume::new(&Props::new(Vec::new(), &specs)).unwrap();
        let caps: Caps = "audio/x-raw, format=S16LE".parse().unwrap();
        v.set_caps(&[caps], &[]).unwrap();
        let data = s16(&[100, 200]);
        let mut slot = [0xAAu8; 4];
        let mut out = Outputs::new(vec![&mut slot], Meta::default());
        v.process(InputBuffer::new(0, &data, Meta::default()), &mut out)
            .unwrap();
        assert!(matches!(
            out.produced(),
            [parallax_guest::Produced::Input { .. }]
        ));
        v.set_property("mute", &PropValue::new("mute", "true"))
            .unwrap();
        assert_eq!(v.property("mute").as_deref(), Some("true"));
        let mut out = Outputs::new(vec![&mut slot], Meta::default());
        v.process(InputBuffer::new(0, &data, Meta::default()), &mut out)
            .unwrap();
        drop(out);
        assert_eq!(slot, [0; 4]);
    }
}
