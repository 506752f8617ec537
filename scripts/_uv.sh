# Sourced by the other scripts: find uv, installing it with pip on a fresh machine.
if command -v uv >/dev/null 2>&1; then
    UV=(uv)
else
    if ! python3 -m uv --version >/dev/null 2>&1; then
        echo "installing uv (the project's package manager) with pip..." >&2
        python3 -m pip install --quiet --disable-pip-version-check uv >&2
    fi
    UV=(python3 -m uv)
fi
export UV_PYTHON_DOWNLOADS=never
