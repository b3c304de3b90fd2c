//! One mapping of SDK errors to retryable or not.

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use domain::ports::StoreError;

/// Error codes that mean "try again later".
const TRANSIENT_CODES: &[&str] = &[
    "ThrottlingException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
    "TransactionConflictException",
    "TransactionInProgressException",
    "SlowDown",
    "RequestTimeout",
    "InternalError",
    "ThrottlingError",
];

pub fn classify<E, R>(context: &str, err: SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug,
{
    let transient = match &err {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            true
        }
        SdkError::ServiceError(e) => e.err().code().is_some_and(|c| TRANSIENT_CODES.contains(&c)),
        _ => false,
    };
    let msg = format!(
        "{context}: {}",
        aws_sdk_dynamodb::error::DisplayErrorContext(&err)
    );
    if transient {
        StoreError::Transient(msg)
    } else {
        StoreError::Permanent(msg)
    }
}
