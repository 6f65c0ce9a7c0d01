//! `parallax-elements`: the built-in trusted elements, with GStreamer's names and
//! properties. Each element lives in its own folder (`<name>/mod.rs` registers it,
//! `<name>/imp.rs` implements it); [`register_all`] is the one list of them.

#[cfg(feature = "audiodec")]
mod aacdec;
mod appsink;
mod appsrc;
mod audioconvert;
mod audioresample;
mod audiotestsrc;
mod capsfilter;
mod concat;
#[cfg(feature = "av1dec")]
mod dav1ddec;
#[cfg(feature = "decodebin")]
mod decodebin;
mod delay;
mod fakesink;
mod fakesrc;
mod fdsink;
mod fdsrc;
mod filesink;
mod filesrc;
#[cfg(feature = "audiodec")]
mod flacdec;
mod funnel;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod identity;
mod input_selector;
mod ivfmux;
mod ivfparse;
#[cfg(feature = "imagedec")]
mod jpegdec;
#[cfg(feature = "image")]
mod jpegenc;
#[cfg(feature = "mp4")]
mod mp4mux;
#[cfg(feature = "audiodec")]
mod mpg123audiodec;
#[cfg(feature = "audiodec")]
mod oggdemux;
mod output_selector;
#[cfg(feature = "imagedec")]
mod pngdec;
#[cfg(feature = "image")]
mod pngenc;
#[cfg(feature = "mp4")]
mod qtdemux;
mod queue;
mod ratelimit;
#[cfg(feature = "av1enc")]
mod rav1enc;
mod tee;
#[cfg(feature = "ts")]
mod tsdemux;
mod util;
mod valve;
mod videoconvert;
mod videoscale;
mod videotestsrc;
mod volume;
#[cfg(feature = "audiodec")]
mod vorbisdec;
mod wavenc;
#[cfg(feature = "audiodec")]
mod wavparse;
mod y4mdec;
mod y4menc;

pub use appsink::AppSinkHandle;
pub use appsrc::{AppSrcError, AppSrcHandle};

use parallax_core::registry::{RegisterError, Registry};

/// Registers every built-in element.
///
/// # Errors
///
/// [`RegisterError`] if a name is registered twice.
pub fn register_all(registry: &mut Registry) -> Result<(), RegisterError> {
    #[cfg(feature = "audiodec")]
    aacdec::register(registry)?;
    appsink::register(registry)?;
    appsrc::register(registry)?;
    audioconvert::register(registry)?;
    audioresample::register(registry)?;
    audiotestsrc::register(registry)?;
    capsfilter::register(registry)?;
    concat::register(registry)?;
    #[cfg(feature = "av1dec")]
    dav1ddec::register(registry)?;
    delay::register(registry)?;
    fakesink::register(registry)?;
    fakesrc::register(registry)?;
    fdsink::register(registry)?;
    fdsrc::register(registry)?;
    filesink::register(registry)?;
    filesrc::register(registry)?;
    #[cfg(feature = "audiodec")]
    flacdec::register(registry)?;
    funnel::register(registry)?;
    identity::register(registry)?;
    input_selector::register(registry)?;
    ivfmux::register(registry)?;
    ivfparse::register(registry)?;
    #[cfg(feature = "imagedec")]
    jpegdec::register(registry)?;
    #[cfg(feature = "image")]
    jpegenc::register(registry)?;
    #[cfg(feature = "audiodec")]
    mpg123audiodec::register(registry)?;
    #[cfg(feature = "mp4")]
    mp4mux::register(registry)?;
    #[cfg(feature = "audiodec")]
    oggdemux::register(registry)?;
    output_selector::register(registry)?;
    #[cfg(feature = "mp4")]
    qtdemux::register(registry)?;
    #[cfg(feature = "imagedec")]
    pngdec::register(registry)?;
    #[cfg(feature = "image")]
    pngenc::register(registry)?;
    queue::register(registry)?;
    ratelimit::register(registry)?;
    #[cfg(feature = "av1enc")]
    rav1enc::register(registry)?;
    tee::register(registry)?;
    #[cfg(feature = "ts")]
    tsdemux::register(registry)?;
    valve::register(registry)?;
    videoconvert::register(registry)?;
    videoscale::register(registry)?;
    videotestsrc::register(registry)?;
    wavenc::register(registry)?;
    volume::register(registry)?;
    #[cfg(feature = "audiodec")]
    vorbisdec::register(registry)?;
    #[cfg(feature = "audiodec")]
    wavparse::register(registry)?;
    y4mdec::register(registry)?;
    y4menc::register(registry)?;
    // Last: decodebin autoplugs from the elements registered before it.
    #[cfg(feature = "decodebin")]
    decodebin::register(registry)?;
    Ok(())
}
