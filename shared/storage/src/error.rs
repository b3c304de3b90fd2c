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

/// The raw response of every AWS SDK client (one type, re-exported by each).
type HttpResponse = aws_sdk_dynamodb::config::http::HttpResponse;

pub fn classify<E>(context: &str, err: SdkError<E, HttpResponse>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let transient = match &err {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            true
        }
        // A 5xx is the service's fault whatever its code says (an emulator or a
        // proxy may answer one without a code): retry, never quarantine.
        SdkError::ServiceError(e) => {
            e.raw().status().is_server_error()
                || e.err().code().is_some_and(|c| TRANSIENT_CODES.contains(&c))
        }
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

#[cfg(test)]
mod tests {
    use aws_sdk_dynamodb::error::ErrorMetadata;
    use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
    use aws_sdk_s3::primitives::SdkBody;

    use super::*;

    fn service_error(status: u16, code: Option<&str>) -> StoreError {
        let mut meta = ErrorMetadata::builder().message("boom");
        if let Some(code) = code {
            meta = meta.code(code);
        }
        let err = TransactWriteItemsError::generic(meta.build());
        let raw = HttpResponse::new(status.try_into().unwrap(), SdkBody::empty());
        classify("transact", SdkError::service_error(err, raw))
    }

    #[test]
    fn server_errors_are_retried_whatever_their_code() {
        assert!(matches!(service_error(500, None), StoreError::Transient(_)));
        assert!(matches!(
            service_error(503, Some("SomethingNew")),
            StoreError::Transient(_)
        ));
        assert!(matches!(
            service_error(400, Some("ThrottlingException")),
            StoreError::Transient(_)
        ));
    }

    #[test]
    fn client_errors_without_a_retryable_code_are_permanent() {
        assert!(matches!(
            service_error(400, Some("ValidationException")),
            StoreError::Permanent(_)
        ));
        assert!(matches!(service_error(400, None), StoreError::Permanent(_)));
    }
}
