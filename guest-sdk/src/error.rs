//! The two failure types an element returns: [`Error`] outside the data path and
//! [`FlowError`] on it (the WIT `flow-error`).

use std::fmt;

/// A failure outside the data path (creation, properties, caps); the message is for users.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(String);

impl Error {
    /// An error with this message.
    pub fn new(msg: impl Into<String>) -> Self {
        Error(msg.into())
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl From<String> for Error {
    fn from(s: String) -> Self {
        Error(s)
    }
}

impl From<&str> for Error {
    fn from(s: &str) -> Self {
        Error(s.to_owned())
    }
}

/// Why a buffer could not be processed. `Eos` and `Flushing` are normal control flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlowError {
    /// The element is done and takes no more data.
    Eos,
    /// The pipeline is flushing.
    Flushing,
    /// The data does not match the negotiated caps.
    NotNegotiated,
    /// The element failed; the message says why, for users.
    Error(String),
}

impl FlowError {
    /// [`FlowError::Error`] with this message.
    pub fn error(msg: impl Into<String>) -> Self {
        FlowError::Error(msg.into())
    }
}

impl fmt::Display for FlowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FlowError::Eos => f.write_str("end of stream"),
            FlowError::Flushing => f.write_str("flushing"),
            FlowError::NotNegotiated => f.write_str("not negotiated"),
            FlowError::Error(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for FlowError {}

impl From<Error> for FlowError {
    fn from(e: Error) -> Self {
        FlowError::Error(e.0)
    }
}
