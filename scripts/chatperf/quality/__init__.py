"""Quality gates: Great Expectations suites as code, the checkpoint runner, the PII scanner."""
