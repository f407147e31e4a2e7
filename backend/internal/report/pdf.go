package report

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
)

// Printer limits.
const (
	// PrintTimeout bounds one PDF rendering, browser start included.
	PrintTimeout = 60 * time.Second
	// MaxConcurrentPrints is how many Chromium processes may print at once.
	MaxConcurrentPrints = 2
)

// Printer prints HTML pages to PDF with a headless Chromium: a fresh
// browser per page, scripts disabled and every network request refused,
// so a page can only show what it carries inline.
type Printer struct {
	path  string
	slots chan struct{}
}

// NewPrinter returns a printer using the Chromium at path (checked when a
// page is printed; an empty path means no PDF).
func NewPrinter(path string) *Printer {
	return &Printer{path: path, slots: make(chan struct{}, MaxConcurrentPrints)}
}

// Available returns nil when PDF can be printed, else an unavailable error
// saying why.
func (p *Printer) Available() error {
	if p == nil || p.path == "" {
		return apperr.Unavailable(nil, "PDF is not available: the server has no Chromium configured (WEGWEISER_CHROMIUM); use HTML and print it from the browser")
	}
	if _, err := exec.LookPath(p.path); err != nil {
		return apperr.Unavailable(err, "PDF is not available: Chromium was not found at %s (WEGWEISER_CHROMIUM); use HTML and print it from the browser", p.path)
	}
	return nil
}

// Print renders page as an A4 PDF.
func (p *Printer) Print(ctx context.Context, html []byte) ([]byte, error) {
	if err := p.Available(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, PrintTimeout)
	defer cancel()
	select {
	case p.slots <- struct{}{}:
		defer func() { <-p.slots }()
	case <-ctx.Done():
		return nil, apperr.ResourceExhausted(10, "the server is busy printing other reports; try again in a moment")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(p.path),
		chromedp.DisableGPU,
		// Nothing may be fetched: a proxy that does not exist, besides
		// the request interception below.
		chromedp.ProxyServer("http://127.0.0.1:9"),
		chromedp.Flag("proxy-bypass-list", "<-loopback>"),
		chromedp.Flag("blink-settings", "scriptEnabled=false"),
	)
	if os.Geteuid() == 0 {
		// Chromium refuses to start its sandbox as root (containers).
		opts = append(opts, chromedp.NoSandbox)
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	// Start the browser on an empty page, refuse every request from then
	// on, disable scripts, then put the page in and print it.
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		return nil, p.failed(ctx, err)
	}
	paused := chromedp.Events(bctx, fetch.RequestPaused)
	go func() {
		for ev, err := range paused {
			if err != nil {
				return
			}
			_, _ = chromedp.Call(bctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonBlockedByClient})
		}
	}()
	if _, err := chromedp.Call(bctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*"}}}); err != nil {
		return nil, p.failed(ctx, err)
	}
	if _, err := chromedp.Call(bctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		return nil, p.failed(ctx, err)
	}
	tree, err := chromedp.Call(bctx, page.GetFrameTree, cdp.Empty{})
	if err != nil {
		return nil, p.failed(ctx, err)
	}
	if _, err := chromedp.Call(bctx, page.SetDocumentContent, page.SetDocumentContentParams{FrameID: tree.FrameTree.Frame.ID, HTML: string(html)}); err != nil {
		return nil, p.failed(ctx, err)
	}
	pdf, err := chromedp.Run(bctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFPrintBackground(), chromedp.PDFPreferCSSPageSize()))
	if err != nil {
		return nil, p.failed(ctx, err)
	}
	return pdf, nil
}

// failed wraps a printing error: unavailable when it ran out of time.
func (p *Printer) failed(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return apperr.Unavailable(err, "printing the PDF took too long; try again or use HTML")
	}
	return fmt.Errorf("print PDF: %w", err)
}
