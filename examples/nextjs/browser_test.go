package nextjs_test

// The browser the test drives: Debian's chromium-headless-shell, with a fresh browser context
// (its own cookies and storage) per user. Elements are found as assistive technology finds
// them, by role and accessible name, and used as a person uses them, with the mouse and the
// keyboard. Every wait is for a condition of the page, bounded by stepTimeout.

import (
	"context"
	"strconv"
	"testing"
	"time"
	"todo/internal/browsertest"

	"github.com/chromedp/chromedp"
)

// stepTimeout bounds one step: an action, or a wait for a condition.
const stepTimeout = 30 * time.Second

// startBrowser starts the browser for the test; it is stopped (and waited for) when the test ends.
func startBrowser(t *testing.T) context.Context {
	t.Helper()
	ctx, stop, err := browsertest.Launch(browsertest.HeadlessShellPath(t), t.TempDir())
	t.Cleanup(stop)
	if err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// tab is a browser tab of one user on the site at base.
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string
}

// newTab opens a tab in a new browser context, so that it shares no cookie with another tab.
func newTab(t *testing.T, browser context.Context, base string) *tab {
	t.Helper()
	p := &tab{t: t, ctx: browsertest.NewTab(t, browser), base: base}
	p.do(chromedp.EmulateViewport(1200, 900))
	return p
}

// do runs actions, failing the test on error.
func (p *tab) do(actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.t.Fatalf("browser: %v\npage:\n%s", err, p.mainText())
	}
}

// evaluate runs JavaScript in the page and returns its value (awaiting a promise).
func evaluate[T any](p *tab, expr string) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("browser: evaluate %s: %v", expr, err)
	}
	return v
}

// open navigates to a path of the site and waits for the page to load.
func (p *tab) open(path string) {
	p.t.Helper()
	p.do(chromedp.Navigate(p.base + path))
}

// reload is the browser's reload button.
func (p *tab) reload() {
	p.t.Helper()
	p.do(chromedp.Reload())
}

// waitFor waits until the JavaScript condition holds, across navigations.
func (p *tab) waitFor(what, condition string) {
	p.t.Helper()
	browsertest.WaitFor(p.t, p.ctx, stepTimeout, what, condition, p.describe)
}

// waitForPath waits until the address is the path and the page has loaded.
func (p *tab) waitForPath(path string) {
	p.t.Helper()
	p.waitFor("the address "+path, `location.pathname === `+strconv.Quote(path)+` && document.readyState === "complete"`)
}

func (p *tab) location() string {
	ctx, cancel := context.WithTimeout(p.ctx, 2*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "(unknown)"
	}
	return s
}

// mainText is the visible text of the page, for failure messages.
func (p *tab) mainText() string { return browsertest.MainText(p.ctx) }

// describe is the page and its address for a failure message.
func (p *tab) describe() string { return "page at " + p.location() + ":\n" + p.mainText() }

// axNode is an element as assistive technology sees it.
type axNode = browsertest.Node

// tryQuery finds the connected elements of the document with the role and accessible name.
func (p *tab) tryQuery(role, name string) ([]axNode, error) {
	return browsertest.Query(p.ctx, stepTimeout, "", role, browsertest.Named(name))
}

// the waits until exactly one element has the role and name, and returns it.
func (p *tab) the(role, name string) axNode {
	p.t.Helper()
	return browsertest.The(p.t, stepTimeout, role, "named "+strconv.Quote(name), func() ([]axNode, error) { return p.tryQuery(role, name) }, p.describe)
}

// click clicks the element with the mouse, at its centre, after scrolling it into view.
func (p *tab) click(n axNode) {
	p.t.Helper()
	p.do(browsertest.Click(n))
}

// clickRole clicks the one element with the role and name.
func (p *tab) clickRole(role, name string) {
	p.t.Helper()
	p.click(p.the(role, name))
}

// fill focuses the text field labelled label, selects what it holds and types text over it.
func (p *tab) fill(label, text string) {
	p.t.Helper()
	n := p.the("textbox", label)
	p.do(browsertest.Focus(n), browsertest.SelectFocused(), chromedp.KeyEvent(text))
}

// pressEnter sends the Enter key to the focused element.
func (p *tab) pressEnter() {
	p.t.Helper()
	enter, _ := browsertest.Press("Enter")
	p.do(enter)
}

// screenshotOnFailure saves a PNG of the tab into $FAILURE_SCREENSHOTS when the test fails.
func (p *tab) screenshotOnFailure(name string) {
	browsertest.ScreenshotOnFailure(p.t, p.ctx, "nextjs-"+name+".png")
}
