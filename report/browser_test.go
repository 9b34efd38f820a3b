//go:build unix

package report

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// findBrowser returns a Chromium-family browser on PATH, or "".
func findBrowser() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// runBrowser runs a headless browser with args on the page at pageURL and
// returns its standard output. The browser and every process it started
// are killed when it returns or when ctx ends.
func runBrowser(ctx context.Context, t *testing.T, browser, pageURL string, args ...string) ([]byte, error) {
	t.Helper()
	home := t.TempDir()
	argv := append([]string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-extensions", "--disable-dev-shm-usage", "--hide-scrollbars",
		"--user-data-dir=" + filepath.Join(home, "profile"),
	}, args...)
	argv = append(argv, pageURL)
	cmd := exec.CommandContext(ctx, browser, argv...)
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, "config"), "XDG_CACHE_HOME="+filepath.Join(home, "cache"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if cmd.Process != nil {
		// The browser's child processes (zygote, crash handler) share its process
		// group; none may outlive the test.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("%s did not finish in time: %w\nstderr:\n%s", browser, ctx.Err(), tail(stderr.String(), 2000))
	}
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w\nstderr:\n%s", browser, strings.Join(args, " "), err, tail(stderr.String(), 2000))
	}
	return stdout.Bytes(), nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// TestWriteHTML_inBrowser renders the sample report in headless Chromium,
// checks the charts in the DOM it built, and keeps a screenshot (under the
// test's artifact directory with go test -artifacts).
func TestWriteHTML_inBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser; skipped with -short")
	}
	browser := findBrowser()
	if browser == "" {
		t.Skip("no chromium, chromium-browser or google-chrome on PATH; install one (e.g. apt-get install chromium) to run the browser test of the HTML report")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	if err := WriteFile(page, FormatHTML, sampleReport(t)); err != nil {
		t.Fatal(err)
	}
	pageURL := "file://" + filepath.ToSlash(page)

	t.Run("DOM", func(t *testing.T) {
		dom, err := runBrowser(ctx, t, browser, pageURL, "--dump-dom")
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(dom, []byte(`id="summary"`)) {
			t.Fatalf("the dumped DOM is not the report page:\n%s", tail(string(dom), 500))
		}
		checkCharts(t, string(dom))
	})

	t.Run("screenshot", func(t *testing.T) {
		shot := filepath.Join(t.ArtifactDir(), "report.png")
		if _, err := runBrowser(ctx, t, browser, pageURL, "--screenshot="+shot, "--window-size=1200,1600"); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", shot)
		if err := checkScreenshot(shot, 1200, 1600); err != nil {
			t.Error(err)
		}
	})
}

// checkScreenshot checks that the PNG at path has the given size and shows
// a page with the report's colours rather than a blank or single-colour
// image.
func checkScreenshot(path string, w, h int) error {
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("no screenshot: %w", err)
	}
	if st.Size() < 20_000 {
		return fmt.Errorf("screenshot is only %d bytes; a rendered report is larger", st.Size())
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return fmt.Errorf("screenshot does not decode as PNG: %w", err)
	}
	if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
		return fmt.Errorf("screenshot is %dx%d, want %dx%d", b.Dx(), b.Dy(), w, h)
	}
	colours := map[[3]uint8]int{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			colours[rgb(img, x, y)]++
		}
	}
	var errs []error
	if len(colours) < 16 {
		errs = append(errs, fmt.Errorf("screenshot has only %d colours; the page did not render", len(colours)))
	}
	// The passing bars (#1a7f37) and the failed run's red (#cf222e).
	for name, want := range map[string][3]uint8{"pass green": {0x1a, 0x7f, 0x37}, "fail red": {0xcf, 0x22, 0x2e}} {
		n := 0
		for c, k := range colours {
			if near(c, want) {
				n += k
			}
		}
		if n < 200 {
			errs = append(errs, fmt.Errorf("screenshot has %d pixels of %s, want the charts' bars in it", n, name))
		}
	}
	return errors.Join(errs...)
}

func rgb(img image.Image, x, y int) [3]uint8 {
	r, g, b, _ := img.At(x, y).RGBA()
	return [3]uint8{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8)}
}

func near(a, b [3]uint8) bool {
	d := func(x, y uint8) int {
		if x > y {
			return int(x - y)
		}
		return int(y - x)
	}
	return d(a[0], b[0]) <= 8 && d(a[1], b[1]) <= 8 && d(a[2], b[2]) <= 8
}
