"""Controllers: parse, call one use case, translate its `Result`; they decide nothing."""
