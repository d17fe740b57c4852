// Package browsertest drives Debian's Chromium (its headless shell, or the whole browser)
// through chromedp, for tests only: it finds and launches it with the flags the tests need, opens tabs with their own cookies, finds
// elements as assistive technology does (by role and accessible name), acts on them with the
// mouse and the keyboard, and waits for conditions of the page.
package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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

// HeadlessShellPath finds Chromium's headless shell: its engine without the browser's
// windows and its own pages, which the whole browser keeps running (and drawing) for every
// tab even when headless, at a quarter of a core for each idle tab. It drives pages as the
// browser does, except for what it leaves out, such as notifications and push.
func HeadlessShellPath(t testing.TB) string {
	t.Helper()
	return find(t, "chromium-headless-shell", "chromium-headless-shell")
}

// ChromiumPath finds the whole browser, for the tests of what the headless shell lacks.
func ChromiumPath(t testing.TB) string {
	t.Helper()
	return find(t, "chromium", "chromium", "chromium-browser", "google-chrome")
}

// find looks for the first of names in PATH. Without one, the test is skipped, except under
// CI=true, where every dependency must be installed and a missing browser fails.
func find(t testing.TB, debianPackage string, names ...string) string {
	t.Helper()
	for _, name := range names {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is required in CI: install Debian's %s package", names[0], debianPackage)
	}
	t.Skipf("%s not installed (Debian: apt-get install %s)", names[0], debianPackage)
	return ""
}

// Launch starts the browser at path, headless, with its profile in profileDir, and returns
// its context, the function that stops it, and the error of starting it. A browser left
// running is killed when the test binary exits (chromedp sets the parent-death signal).
func Launch(path, profileDir string) (context.Context, context.CancelFunc, error) {
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.UserDataDir(profileDir),
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
	err := chromedp.Do(ctx) // starts the browser
	return ctx, func() { cancel(); cancelAlloc() }, err
}

// NewTab opens a tab in a new browser context of the browser, so that it shares no cookie
// with another tab. It is closed when the test ends.
func NewTab(t testing.TB, browser context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	// The tab lives as long as the context of its first run: that one has no timeout.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open tab: %v", err)
	}
	return ctx
}

// Call is a protocol command as an action.
func Call[P, R any](cmd cdp.Command[P, R], params P) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, cmd, params)
		return err
	})
}

// WaitFor waits until the JavaScript condition holds in the tab, for at most timeout. It
// tolerates the page navigating in between. On timeout it fails the test with what, the
// condition, the last error and page(), a description of the page. The condition counts
// only once the document is parsed: a navigation changes the address as soon as the new page
// starts to arrive, before the elements a test reads next are there.
func WaitFor(t testing.TB, tab context.Context, timeout time.Duration, what, condition string, page func() string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var lastErr error
	for {
		ctx, cancel := context.WithTimeout(tab, 2*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.readyState !== "loading" && (`+condition+`)`))
		cancel()
		if err == nil && ok {
			return
		}
		lastErr = err
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s (%s); last error: %v\n%s", what, condition, lastErr, page())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// MainText is the visible text of the page's main element (or body), for failure messages.
func MainText(tab context.Context) string {
	ctx, cancel := context.WithTimeout(tab, 2*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector("main") || document.body).innerText`))
	if err != nil {
		return "(unreadable: " + err.Error() + ")"
	}
	return s
}

// Node is an element as assistive technology sees it.
type Node struct {
	Role, Name string
	Checked    string // "true", "false" or "" for a role without a checked state
	BackendID  cdp.BackendNodeID
}

// Query finds the connected elements with the role whose accessible name satisfies match,
// within the element that scope (a CSS selector) selects, or the whole document for "". It
// reports an error (the page may be between two documents) rather than failing the test.
func Query(tab context.Context, timeout time.Duration, scope, role string, match func(name string) bool) ([]Node, error) {
	root := "document.documentElement"
	if scope != "" {
		root = "document.querySelector(" + strconv.Quote(scope) + ")"
	}
	ctx, cancel := context.WithTimeout(tab, timeout)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Action[[]Node](func(ctx context.Context, t *chromedp.Target) ([]Node, error) {
		root, err := cdp.Call(ctx, t, runtime.Evaluate, runtime.EvaluateParams{Expression: root})
		if err != nil {
			return nil, err
		}
		if root.Result == nil || root.Result.ObjectID == "" {
			return nil, nil // no scope (yet), so none of its elements
		}
		res, err := cdp.Call(ctx, t, accessibility.QueryAXTree, accessibility.QueryAXTreeParams{ObjectID: root.Result.ObjectID, Role: role})
		if err != nil {
			return nil, err
		}
		var found []Node
		for _, n := range res.Nodes {
			if n.Ignored {
				continue
			}
			a := Node{Role: role, Name: axString(n.Name), BackendID: n.BackendDOMNodeID}
			for _, prop := range n.Properties {
				if prop.Name == accessibility.PropertyNameChecked {
					a.Checked = axString(prop.Value)
				}
			}
			if !match(a.Name) {
				continue
			}
			// Just after a swap or a re-render, the tree may still hold the element it replaced.
			if connected, err := isConnected(ctx, t, n.BackendDOMNodeID); err != nil || !connected {
				continue
			}
			found = append(found, a)
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

// Named matches the accessible name want.
func Named(want string) func(string) bool { return func(name string) bool { return name == want } }

// The waits, for at most timeout, until query finds exactly one element, and returns it. The
// accessibility tree follows changes of the page with a short delay. Otherwise it fails the
// test with the count of role elements, what they are, the last error and page().
func The(t testing.TB, timeout time.Duration, role, what string, query func() ([]Node, error), page func() string) Node {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		nodes, err := query()
		if err == nil && len(nodes) == 1 {
			return nodes[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("got %d %s elements %s (error: %v), want 1\n%s", len(nodes), role, what, err, page())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Click clicks the element with the mouse, at its centre, after scrolling it into view.
func Click(n Node) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, dom.ScrollIntoViewIfNeeded, dom.ScrollIntoViewIfNeededParams{BackendNodeID: n.BackendID}); err != nil {
			return err
		}
		box, err := cdp.Call(ctx, t, dom.GetContentQuads, dom.GetContentQuadsParams{BackendNodeID: n.BackendID})
		if err != nil {
			return err
		}
		if len(box.Quads) == 0 || len(box.Quads[0]) < 8 {
			return fmt.Errorf("%s %q is not visible", n.Role, n.Name)
		}
		q := box.Quads[0]
		x, y := (q[0]+q[2]+q[4]+q[6])/4, (q[1]+q[3]+q[5]+q[7])/4
		_, err = chromedp.MouseClickXY(x, y)(ctx, t)
		return err
	})
}

// Focus gives the element the keyboard focus.
func Focus(n Node) chromedp.Action[chromedp.Void] {
	return Call(dom.Focus, dom.FocusParams{BackendNodeID: n.BackendID})
}

// SelectFocused selects what the focused text field holds, so that typing replaces it.
func SelectFocused() chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`document.activeElement.select && document.activeElement.select()`)
}

// Press sends a named key (Enter, Escape, Tab, Backspace, Space) to the focused element; ok
// is false for a key it does not know.
func Press(key string) (action chromedp.Action[chromedp.Void], ok bool) {
	codes := map[string]int64{"Enter": 13, "Escape": 27, "Tab": 9, "Backspace": 8, " ": 32}
	code, ok := codes[key]
	if !ok {
		return nil, false
	}
	text := map[string]string{"Enter": "\r", " ": " "}[key]
	keyCode := key
	if key == " " {
		keyCode = "Space"
	}
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		down := input.DispatchKeyEventParams{
			Type: input.DispatchKeyEventTypeKeyDown, Key: key, Code: keyCode, Text: text,
			WindowsVirtualKeyCode: code, NativeVirtualKeyCode: code,
		}
		if text == "" {
			down.Type = input.DispatchKeyEventTypeRawKeyDown
		}
		if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, down); err != nil {
			return err
		}
		up := input.DispatchKeyEventParams{
			Type: input.DispatchKeyEventTypeKeyUp, Key: key, Code: keyCode,
			WindowsVirtualKeyCode: code, NativeVirtualKeyCode: code,
		}
		_, err := cdp.Call(ctx, t, input.DispatchKeyEvent, up)
		return err
	}), true
}

// ScreenshotOnFailure saves a PNG of the tab as name in $FAILURE_SCREENSHOTS when the test
// fails, to see what went wrong.
func ScreenshotOnFailure(t testing.TB, tab context.Context, name string) {
	t.Cleanup(func() {
		dir := os.Getenv("FAILURE_SCREENSHOTS")
		if !t.Failed() || dir == "" {
			return
		}
		ctx, cancel := context.WithTimeout(tab, 5*time.Second)
		defer cancel()
		if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
			os.WriteFile(filepath.Join(dir, name), png, 0o644)
		}
	})
}
