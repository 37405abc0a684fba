# Debian's chromium for the HTML checks (check-report.sh, check-letters.sh, check-explain-html.sh),
# sourced after `tmp` and `fail` are set. CI does not depend on it: browser is empty when it is
# not installed.
browser=$(command -v chromium || command -v chromium-browser || true)

# chromium_run ARGS... : headless, with a profile of its own under $tmp.
chromium_run() {
	"$browser" --headless --no-sandbox --disable-gpu --no-pdf-header-footer --user-data-dir="$tmp/profile" "$@"
}

# browser_dom PAGE OUT: the document as chromium parsed it.
browser_dom() {
	chromium_run --dump-dom "file://$1" >"$2" 2>/dev/null || fail "chromium could not load $1"
}

# browser_png PAGE PNG WIDTH,HEIGHT: a screenshot, which must not be blank.
browser_png() {
	chromium_run --window-size="$3" --screenshot="$2" "file://$1" >/dev/null 2>&1
	[ "$(wc -c <"$2" 2>/dev/null || echo 0)" -gt 20000 ] || fail "chromium rendered no picture of $1"
}
