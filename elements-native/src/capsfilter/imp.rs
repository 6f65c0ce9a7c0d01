use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, Buffer, Caps, ElementImpl, ExecutionHints, FlowError, PadDirection, PadTemplate,
    ProcessContext, PropSpec, PropertyError, Transform, Value,
};

#[derive(Debug)]
struct CapsFilter {
    caps: Caps,
}

pub(super) fn info() -> ElementInfo {
    ElementInfo::new(
        "capsfilter",
        "Generic",
        "Pass data without modification, limiting formats",
    )
    .pad(PadTemplate::sink(Caps::any()))
    .pad(PadTemplate::src(Caps::any()))
    .property(PropSpec::caps("caps", Caps::any()).doc("Restrict the possible allowed capabilities"))
    .hints(ExecutionHints::RT_SAFE)
}

pub(super) fn create() -> AnyElement {
    AnyElement::Transform(Box::new(CapsFilter { caps: Caps::any() }))
}

impl ElementImpl for CapsFilter {
    fn set_property(&mut self, name: &str, value: &Value) -> Result<(), PropertyError> {
        match (name, value) {
            ("caps", Value::Caps(caps)) => self.caps = caps.clone(),
            ("caps", other) => {
                return Err(PropertyError::BadValue {
                    name: name.into(),
                    expected: "caps".into(),
                    got: other.to_string(),
                });
            }
            _ => return Err(PropertyError::unknown(name)),
        }
        Ok(())
    }

    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        match name {
            "caps" => Ok(Value::Caps(self.caps.clone())),
            _ => Err(PropertyError::unknown(name)),
        }
    }

    fn transform_caps(&self, _direction: PadDirection, caps: &Caps) -> Caps {
        caps.intersect(&self.caps)
    }
}

impl Transform for CapsFilter {
    fn process(
        &mut self,
        _pad: usize,
        buffer: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        ctx.push(buffer);
        Ok(())
    }
}
