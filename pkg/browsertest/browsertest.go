// Package browsertest renders the toolkit's HTML pages in a real browser for tests:
// Debian's headless Chromium, installed by scripts/chromium.sh when it is missing and
// the tests run as root. A page is checked as people see it: its rendered DOM, a
// screenshot, a PDF print, and a probe of its layout.
//
// The pages themselves hold no script. To measure their layout the probe renders a copy
// of a page with a small script appended, which writes what it measured (elements wider
// than the window, images not inline or not decoded) into the DOM that --dump-dom
// prints; the page under test is never changed.
package browsertest

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"dmt/pkg/mariadb/mariadbtest"
)

// Chromium returns the path of a headless Chromium, installing it with
// scripts/chromium.sh when missing. Without one the test fails when CI is set (CI must
// run the browser tests) and is skipped, saying why, elsewhere.
func Chromium(tb testing.TB) string {
	tb.Helper()
	root, err := mariadbtest.RepoRoot()
	if err != nil {
		tb.Fatal(err)
	}
	var out, errb bytes.Buffer
	cmd := exec.Command(filepath.Join(root, "scripts", "chromium.sh"))
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		msg := "no headless Chromium: " + strings.TrimSpace(errb.String())
		if os.Getenv("CI") != "" {
			tb.Fatal(msg)
		}
		tb.Skip(msg)
	}
	return strings.TrimSpace(out.String())
}

// run starts Chromium headless on a fresh profile with args and the page, and returns
// what it printed on stdout. It fails the test after two minutes.
func run(tb testing.TB, chromium string, args ...string) []byte {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--no-first-run", "--hide-scrollbars", "--user-data-dir=" + tb.TempDir()}
	cmd := exec.CommandContext(ctx, chromium, append(base, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		tb.Fatalf("chromium %v: %v\n%s", args, err, errb.String())
	}
	return out.Bytes()
}

func fileURL(tb testing.TB, path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		tb.Fatal(err)
	}
	return "file://" + abs
}

// DumpDOM returns the DOM of the page once rendered in a window of the given width.
func DumpDOM(tb testing.TB, chromium, page string, width int) string {
	tb.Helper()
	return string(run(tb, chromium, "--window-size="+itoa(width)+",2000", "--dump-dom", fileURL(tb, page)))
}

// Screenshot renders the page at width×height and writes a PNG to png.
func Screenshot(tb testing.TB, chromium, page, png string, width, height int) {
	tb.Helper()
	run(tb, chromium, "--window-size="+itoa(width)+","+itoa(height), "--screenshot="+png, fileURL(tb, page))
	data, err := os.ReadFile(png)
	if err != nil || !bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")) || len(data) < 5000 {
		tb.Fatalf("screenshot %s: %d bytes (%v), want a PNG", png, len(data), err)
	}
}

// PrintPDF prints the page to pdf as a browser prints it (A4 by the page's own CSS)
// and returns the number of pages.
func PrintPDF(tb testing.TB, chromium, page, pdf string) int {
	tb.Helper()
	run(tb, chromium, "--no-pdf-header-footer", "--print-to-pdf="+pdf, fileURL(tb, page))
	data, err := os.ReadFile(pdf)
	if err != nil || !bytes.HasPrefix(data, []byte("%PDF-")) {
		tb.Fatalf("print %s: %v, want a PDF", pdf, err)
	}
	return len(regexp.MustCompile(`/Type\s*/Page[^s]`).FindAll(data, -1))
}

// Layout is what the probe measured of a rendered page.
type Layout struct {
	Width       int      `json:"width"`        // the window's layout width
	ScrollWidth int      `json:"scroll_width"` // the document's: wider means a horizontal scroll bar
	Overflow    []string `json:"overflow"`     // elements whose right edge passes the window
	Images      int      `json:"images"`
	Broken      []string `json:"broken"` // <img> not inline (data:) or not decoded
	SVGs        int      `json:"svgs"`
	Scripts     int      `json:"scripts"` // scripts of the page itself (the probe excluded)
}

// probe is appended to a copy of the page: it measures the layout once rendered and
// writes it as JSON into a <pre id="dmt-probe">.
const probe = `<script id="dmt-probe-script">
(function () {
  var W = document.documentElement.clientWidth, over = [], broken = [];
  document.querySelectorAll("body *").forEach(function (e) {
    if (e.id === "dmt-probe-script") return;
    var r = e.getBoundingClientRect();
    if (r.width > 0 && r.right > W + 1) {
      over.push(e.tagName.toLowerCase() + "." + (e.getAttribute("class") || "") + " right=" + Math.round(r.right));
    }
  });
  var imgs = document.querySelectorAll("img");
  imgs.forEach(function (i) {
    var src = i.getAttribute("src") || "";
    if (src.indexOf("data:") !== 0 || !i.complete || i.naturalWidth === 0) broken.push(i.outerHTML.slice(0, 120));
  });
  var pre = document.createElement("pre");
  pre.id = "dmt-probe";
  pre.textContent = JSON.stringify({width: W, scroll_width: document.documentElement.scrollWidth, overflow: over.slice(0, 30),
    images: imgs.length, broken: broken, svgs: document.querySelectorAll("svg").length,
    scripts: document.querySelectorAll("script").length - 1});
  document.body.appendChild(pre);
})();
</script>`

var probeOut = regexp.MustCompile(`(?s)<pre id="dmt-probe">(.*?)</pre>`)

// Measure renders a probed copy of page in a window of the given width and returns
// what the probe measured.
func Measure(tb testing.TB, chromium, page string, width int) Layout {
	tb.Helper()
	data, err := os.ReadFile(page)
	if err != nil {
		tb.Fatal(err)
	}
	i := bytes.LastIndex(data, []byte("</body>"))
	if i < 0 {
		tb.Fatalf("%s: no </body>", page)
	}
	copyPath := filepath.Join(tb.TempDir(), "probe-"+filepath.Base(page))
	probed := append(append(append([]byte{}, data[:i]...), probe...), data[i:]...)
	if err := os.WriteFile(copyPath, probed, 0o644); err != nil {
		tb.Fatal(err)
	}
	dom := DumpDOM(tb, chromium, copyPath, width)
	m := probeOut.FindStringSubmatch(dom)
	if m == nil {
		tb.Fatalf("the probe wrote nothing in the DOM of %s", page)
	}
	var l Layout
	if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &l); err != nil {
		tb.Fatalf("probe of %s: %v: %s", page, err, m[1])
	}
	return l
}

func itoa(n int) string { return strconv.Itoa(n) }
