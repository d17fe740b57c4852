package nextjs_test

// The browser the test drives: Debian's chromium, headless, with a fresh browser context (its
// own cookies and storage) per user. Elements are found as assistive technology finds them, by
// role and accessible name, and used as a person uses them, with the mouse and the keyboard.
// Every wait is for a condition of the page, bounded by stepTimeout.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// stepTimeout bounds one step: an action, or a wait for a condition.
const stepTimeout = 30 * time.Second

// chromiumPath finds the browser; without one the test skips, or fails under CI=true.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	required(t, "chromium is not installed (Debian: apt-get install chromium)")
	return ""
}

// startBrowser starts chromium for the test; it is stopped (and waited for) when the test ends.
func startBrowser(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath(t)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless,
		chromedp.NoSandbox, // tests run as root in CI containers
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-features", "Translate,OptimizationHints,MediaRouter,AutofillServerCommunication"),
		chromedp.WindowSize(1200, 900),
	)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
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
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil { // the tab lives as long as this first run's context
		t.Fatalf("open tab: %v", err)
	}
	p := &tab{t: t, ctx: ctx, base: base}
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
	deadline := time.Now().Add(stepTimeout)
	var lastErr error
	for {
		ctx, cancel := context.WithTimeout(p.ctx, 2*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](condition))
		cancel()
		if err == nil && ok {
			return
		}
		lastErr = err
		if time.Now().After(deadline) {
			p.t.Fatalf("timed out waiting for %s (%s); last error: %v\npage at %s:\n%s", what, condition, lastErr, p.location(), p.mainText())
		}
		time.Sleep(20 * time.Millisecond)
	}
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
func (p *tab) mainText() string {
	ctx, cancel := context.WithTimeout(p.ctx, 2*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector("main") || document.body).innerText`))
	if err != nil {
		return "(unreadable: " + err.Error() + ")"
	}
	return s
}

// axNode is an element as assistive technology sees it.
type axNode struct {
	role, name string
	backendID  cdp.BackendNodeID
}

// tryQuery finds the connected elements of the document with the role and accessible name.
func (p *tab) tryQuery(role, name string) ([]axNode, error) {
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Action[[]axNode](func(ctx context.Context, t *chromedp.Target) ([]axNode, error) {
		root, err := cdp.Call(ctx, t, runtime.Evaluate, runtime.EvaluateParams{Expression: "document.documentElement"})
		if err != nil {
			return nil, err
		}
		if root.Result == nil || root.Result.ObjectID == "" {
			return nil, nil
		}
		res, err := cdp.Call(ctx, t, accessibility.QueryAXTree, accessibility.QueryAXTreeParams{ObjectID: root.Result.ObjectID, Role: role})
		if err != nil {
			return nil, err
		}
		var found []axNode
		for _, n := range res.Nodes {
			if n.Ignored || axString(n.Name) != name {
				continue
			}
			// Just after React re-renders, the tree may still hold the element it replaced.
			if connected, err := isConnected(ctx, t, n.BackendDOMNodeID); err != nil || !connected {
				continue
			}
			found = append(found, axNode{role: role, name: name, backendID: n.BackendDOMNodeID})
		}
		return found, nil
	}))
}

func isConnected(ctx context.Context, t *chromedp.Target, id cdp.BackendNodeID) (bool, error) {
	obj, err := cdp.Call(ctx, t, dom.ResolveNode, dom.ResolveNodeParams{BackendNodeID: id})
	if err != nil {
		return false, err
	}
	res, err := cdp.Call(ctx, t, runtime.CallFunctionOn, runtime.CallFunctionOnParams{
		FunctionDeclaration: "function() { return this.isConnected }",
		ObjectID:            obj.Object.ObjectID,
		ReturnByValue:       new(true),
	})
	if err != nil || res.Result == nil {
		return false, err
	}
	return string(res.Result.Value) == "true", nil
}

func axString(v *accessibility.Value) string {
	if v == nil || len(v.Value) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(v.Value, &s) == nil {
		return s
	}
	return strings.Trim(string(v.Value), `"`)
}

// the waits until exactly one element has the role and name, and returns it.
func (p *tab) the(role, name string) axNode {
	p.t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for {
		nodes, err := p.tryQuery(role, name)
		if err == nil && len(nodes) == 1 {
			return nodes[0]
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("got %d %s elements named %q (error: %v), want 1\npage at %s:\n%s", len(nodes), role, name, err, p.location(), p.mainText())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// click clicks the element with the mouse, at its centre, after scrolling it into view.
func (p *tab) click(n axNode) {
	p.t.Helper()
	p.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, dom.ScrollIntoViewIfNeeded, dom.ScrollIntoViewIfNeededParams{BackendNodeID: n.backendID}); err != nil {
			return err
		}
		box, err := cdp.Call(ctx, t, dom.GetContentQuads, dom.GetContentQuadsParams{BackendNodeID: n.backendID})
		if err != nil {
			return err
		}
		if len(box.Quads) == 0 || len(box.Quads[0]) < 8 {
			return fmt.Errorf("%s %q is not visible", n.role, n.name)
		}
		q := box.Quads[0]
		x, y := (q[0]+q[2]+q[4]+q[6])/4, (q[1]+q[3]+q[5]+q[7])/4
		_, err = chromedp.MouseClickXY(x, y)(ctx, t)
		return err
	}))
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
	p.do(
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, dom.Focus, dom.FocusParams{BackendNodeID: n.backendID})
			return err
		}),
		chromedp.Evaluate[chromedp.Void](`document.activeElement.select && document.activeElement.select()`),
		chromedp.KeyEvent(text),
	)
}

// pressEnter sends the Enter key to the focused element.
func (p *tab) pressEnter() {
	p.t.Helper()
	p.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for _, ev := range []input.DispatchKeyEventParams{
			{Type: input.DispatchKeyEventTypeKeyDown, Key: "Enter", Code: "Enter", Text: "\r", WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13},
			{Type: input.DispatchKeyEventTypeKeyUp, Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13},
		} {
			if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, ev); err != nil {
				return err
			}
		}
		return nil
	}))
}

// screenshotOnFailure saves a PNG of the tab into $FAILURE_SCREENSHOTS when the test fails.
func (p *tab) screenshotOnFailure(name string) {
	p.t.Cleanup(func() {
		dir := os.Getenv("FAILURE_SCREENSHOTS")
		if !p.t.Failed() || dir == "" {
			return
		}
		ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
		defer cancel()
		if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
			os.WriteFile(dir+"/nextjs-"+name+".png", png, 0o644)
		}
	})
}
