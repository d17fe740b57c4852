package web_test

// The browsers the tests drive: Debian's chromium-headless-shell, and the whole chromium for
// the tests of what the shell leaves out (notifications and push); each is one process for the
// whole package, started on first use, with a fresh browser context (its own cookies and
// storage) and tab for every test. Helpers find elements as assistive technology does, by role
// and accessible name, and act on them as a user does, with the mouse and the keyboard.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"todo/internal/apptest"
	"todo/internal/browsertest"
)

// stepTimeout bounds one step of a test: an action, or a wait for a condition.
const stepTimeout = 15 * time.Second

// sharedBrowser is one of the package's browsers.
type sharedBrowser struct {
	name string                  // names its profile directory
	path func(testing.TB) string // finds its program
	once sync.Once
	ctx  context.Context
	err  error
}

var (
	headlessShell = &sharedBrowser{name: "shell", path: browsertest.HeadlessShellPath}
	wholeBrowser  = &sharedBrowser{name: "chromium", path: browsertest.ChromiumPath}
)

// get starts the browser on first use. It lives until the test binary exits, which kills it
// (chromedp sets the parent-death signal); its profile directory is named after this process
// so that the next run can sweep it away.
func (b *sharedBrowser) get(t *testing.T) context.Context {
	t.Helper()
	path := b.path(t)
	b.once.Do(func() {
		sweepProfiles()
		dir := filepath.Join(os.TempDir(), profilePrefix+strconv.Itoa(os.Getpid())+"-"+b.name)
		b.ctx, _, b.err = browsertest.Launch(path, dir)
	})
	if b.err != nil {
		t.Fatalf("start %s: %v", path, b.err)
	}
	return b.ctx
}

const profilePrefix = "todo-web-test-chromium-"

// sweepProfiles removes the profile directories of earlier test runs that have exited.
func sweepProfiles() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), profilePrefix+"*"))
	for _, d := range dirs {
		pid, _, _ := strings.Cut(strings.TrimPrefix(filepath.Base(d), profilePrefix), "-")
		if n, err := strconv.Atoi(pid); err == nil && syscall.Kill(n, 0) != nil {
			os.RemoveAll(d)
		}
	}
}

// page is a browser tab on a test server.
type page struct {
	t    *testing.T
	ctx  context.Context
	base string
}

type pageOptions struct {
	browser     *sharedBrowser
	noScript    bool
	width       int64
	height      int64
	timezone    string
	colorScheme string
}

type pageOption func(*pageOptions)

// inWholeBrowser opens the tab in the whole chromium, for what the headless shell leaves out.
func inWholeBrowser(o *pageOptions) { o.browser = wholeBrowser }

// withoutJavaScript opens the tab with script execution off, as for a user who disabled it.
func withoutJavaScript(o *pageOptions) { o.noScript = true }

// withViewport sets the size of the tab's window.
func withViewport(width, height int64) pageOption {
	return func(o *pageOptions) { o.width, o.height = width, height }
}

// withColorScheme sets the system's light or dark preference that the page sees.
func withColorScheme(scheme string) pageOption {
	return func(o *pageOptions) { o.colorScheme = scheme }
}

// withTimezone sets the time zone the page sees, as the reader's system would.
func withTimezone(tz string) pageOption { return func(o *pageOptions) { o.timezone = tz } }

// openPage opens a tab in a new browser context, so that no cookie is shared with another test.
func openPage(t *testing.T, srv *apptest.Server, opts ...pageOption) *page {
	t.Helper()
	o := pageOptions{browser: headlessShell, width: 1200, height: 900}
	for _, opt := range opts {
		opt(&o)
	}
	p := &page{t: t, ctx: browsertest.NewTab(t, o.browser.get(t)), base: srv.URL}
	setup := []chromedp.Action[chromedp.Void]{
		chromedp.EmulateViewport(o.width, o.height),
		browsertest.Call(emulation.SetLocaleOverride, emulation.SetLocaleOverrideParams{Locale: "en_GB"}),
	}
	if o.timezone != "" {
		setup = append(setup, browsertest.Call(emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: o.timezone}))
	}
	if o.colorScheme != "" {
		setup = append(setup, browsertest.Call(emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: o.colorScheme}},
		}))
	}
	if o.noScript {
		setup = append(setup, browsertest.Call(emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}))
	}
	p.do(setup...)
	return p
}

// do runs actions, failing the test on error.
func (p *page) do(actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.t.Fatalf("browser: %v", err)
	}
}

// run runs one action and returns its value, failing the test on error.
func run[T any](p *page, action chromedp.Action[T]) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, action)
	if err != nil {
		p.t.Fatalf("browser: %v", err)
	}
	return v
}

// open navigates to a path of the server and waits for the page to load.
func (p *page) open(path string) {
	p.t.Helper()
	p.do(chromedp.Navigate(p.base + path))
}

// path is the path and query of the current address.
func (p *page) path() string {
	p.t.Helper()
	return strings.TrimPrefix(run(p, chromedp.Location()), p.base)
}

// evaluate runs JavaScript in the page through the DevTools protocol, which works even when
// the page's own scripts are disabled.
func evaluate[T any](p *page, expr string) T {
	p.t.Helper()
	return run(p, chromedp.Evaluate[T](expr))
}

// evaluateVoid runs JavaScript in the page for its effect.
func evaluateVoid(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](expr)
}

// back, forward and reload are the browser's buttons. Back and forward may stay in the same
// document (htmx pushes history entries), so they wait for nothing; the test waits for what
// it expects to see.
func back() chromedp.Action[chromedp.Void]    { return evaluateVoid(`history.back()`) }
func forward() chromedp.Action[chromedp.Void] { return evaluateVoid(`history.forward()`) }
func reload() chromedp.Action[chromedp.Void]  { return chromedp.Reload() }

// evaluateAsync is evaluate for an expression whose value is a promise.
func evaluateAsync[T any](p *page, expr string) T {
	p.t.Helper()
	return run(p, chromedp.Evaluate[T](expr, func(e *runtime.EvaluateParams) { e.AwaitPromise = new(true) }))
}

// waitFor waits until the JavaScript condition holds. It tolerates the page navigating in
// between, which a form submission without JavaScript does.
func (p *page) waitFor(what, condition string) {
	p.t.Helper()
	browsertest.WaitFor(p.t, p.ctx, stepTimeout, what, condition, p.describe)
}

// mainText is the visible text of the page's main element, for failure messages.
func (p *page) mainText() string { return browsertest.MainText(p.ctx) }

// describe is the page for a failure message.
func (p *page) describe() string { return "page:\n" + p.mainText() }

// axNode is an element as assistive technology sees it.
type axNode = browsertest.Node

// query finds the elements with the role whose accessible name satisfies match, within the
// element that scope (a CSS selector) selects, or the whole document for "".
func (p *page) query(scope, role string, match func(name string) bool) []axNode {
	p.t.Helper()
	nodes, err := p.tryQuery(scope, role, match)
	if err != nil {
		p.t.Fatalf("browser: %v", err)
	}
	return nodes
}

// tryQuery is query that reports an error (the page may be between two documents) rather
// than failing the test.
func (p *page) tryQuery(scope, role string, match func(name string) bool) ([]axNode, error) {
	return browsertest.Query(p.ctx, stepTimeout, scope, role, match)
}

func named(want string) func(string) bool { return browsertest.Named(want) }

// the waits for exactly one element to match, and fails the test if none or several do. The
// accessibility tree follows changes of the page with a short delay.
func (p *page) the(scope, role string, match func(string) bool, what string) axNode {
	p.t.Helper()
	return browsertest.The(p.t, stepTimeout, role, "for "+what, func() ([]axNode, error) { return p.tryQuery(scope, role, match) }, p.describe)
}

// click clicks the element with the mouse, at its centre, after scrolling it into view.
func (p *page) click(n axNode) {
	p.t.Helper()
	p.do(browsertest.Click(n))
}

// clickRole clicks the one element with the role and name.
func (p *page) clickRole(role, name string) {
	p.t.Helper()
	p.click(p.the("", role, named(name), role+" "+strconv.Quote(name)))
}

// focus gives the element the keyboard focus.
func (p *page) focus(n axNode) {
	p.t.Helper()
	p.do(browsertest.Focus(n))
}

// fill focuses the text field, selects what it holds and types text over it, key by key.
func (p *page) fill(n axNode, text string) {
	p.t.Helper()
	p.focus(n)
	p.do(browsertest.SelectFocused())
	if text == "" {
		p.press("Backspace")
		return
	}
	p.do(chromedp.KeyEvent(text))
}

// fillRole fills the one text field labelled name within scope.
func (p *page) fillRole(scope, label, text string) {
	p.t.Helper()
	p.fill(p.the(scope, "textbox", named(label), "text field "+strconv.Quote(label)), text)
}

// press sends a named key (Enter, Escape, Tab, Backspace, Space) to the focused element.
func (p *page) press(key string) {
	p.t.Helper()
	action, ok := browsertest.Press(key)
	if !ok {
		p.t.Fatalf("no key %q", key)
	}
	p.do(action)
}

// focusedID is the id of the element that has the keyboard focus.
func (p *page) focusedID() string {
	p.t.Helper()
	return evaluate[string](p, `document.activeElement ? document.activeElement.id : ""`)
}

// focusLands waits for the keyboard focus to reach an element whose id satisfies match, and
// fails saying where the focus is if it does not within a step's time. The page moves the focus
// a moment after what a test waits for can show: when htmx settles a swap (after its settle
// delay), when a promise resolves, and for autofocus at the browser's next rendering.
func (p *page) focusLands(when, want string, match func(id string) bool) {
	p.t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for {
		got := p.focusedID()
		if match(got) {
			return
		}
		if time.Now().After(deadline) {
			p.t.Errorf("%s, focus is on %q, want %s", when, got, want)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// idIs matches the element with the id, for focusLands.
func idIs(id string) func(string) bool { return func(got string) bool { return got == id } }

// text is the text content of the one element the CSS selector selects ("" if none).
func (p *page) text(selector string) string {
	p.t.Helper()
	return evaluate[string](p, `(function(){const e = document.querySelector(`+strconv.Quote(selector)+`); return e ? e.textContent.trim().replace(/\s+/g, " ") : ""})()`)
}

// titles are the titles of the tasks in the list, top to bottom.
func (p *page) titles() []string {
	p.t.Helper()
	return evaluate[[]string](p, `Array.from(document.querySelectorAll("#tasks li.task .task-title")).map(e => e.textContent)`)
}

// checkbox is the completion checkbox of the task titled title.
func (p *page) checkbox(title string) axNode {
	p.t.Helper()
	return p.the("#tasks", "checkbox", named(title), "the checkbox of "+strconv.Quote(title))
}

// taskButton is the button of the task titled title whose name starts with action ("Edit",
// "Delete") and names the task.
func (p *page) taskButton(action, title string) axNode {
	p.t.Helper()
	return p.the("#tasks", "button", named(action+" “"+title+"”"), action+" button of "+strconv.Quote(title))
}

// listShows waits until the list shows exactly these titles, in this order.
func (p *page) listShows(titles ...string) {
	p.t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // as JSON.stringify writes it
	enc.Encode(titles)
	want := bytes.TrimSpace(buf.Bytes())
	p.waitFor(fmt.Sprintf("the list to show %s", want),
		`JSON.stringify(Array.from(document.querySelectorAll("#tasks li.task .task-title")).map(e => e.textContent)) === `+strconv.Quote(string(want)))
}

// countShows waits until the footer says how many tasks are left.
func (p *page) countShows(want string) {
	p.t.Helper()
	p.waitFor("the count to say "+strconv.Quote(want),
		`(document.querySelector(".count") || {textContent: ""}).textContent.trim().replace(/\s+/g, " ") === `+strconv.Quote(want))
}

// settled waits until htmx has no request in flight.
func (p *page) settled() {
	p.t.Helper()
	p.waitFor("htmx to settle", `!document.querySelector(".htmx-request, .htmx-swapping, .htmx-settling")`)
}

// addTask adds a task through the form, as a user with JavaScript does, and waits for it.
func (p *page) addTask(title, description string) {
	p.t.Helper()
	p.fillRole("#new-task", "Title", title)
	if description != "" {
		p.moreOptions()
		p.fillRole("#new-task", "Description", description)
	}
	p.clickRole("button", "Add task")
	p.waitFor("the task "+strconv.Quote(title)+" to appear",
		`Array.from(document.querySelectorAll("#tasks .task-title")).some(e => e.textContent === `+strconv.Quote(title)+`) && document.getElementById("new-title").value === ""`)
}

// moreOptions opens the new-task form's other fields (description, priority, tags, due), as
// a user clicks their summary.
func (p *page) moreOptions() {
	p.t.Helper()
	if evaluate[bool](p, `document.querySelector("#new-task details").open`) {
		return
	}
	p.clickRole("DisclosureTriangle", "Description, priority, tags and due date")
	p.waitFor("the other fields", `document.getElementById("new-description").checkVisibility()`)
}

// signUp creates an account through the sign-up page and waits for the task list.
func (p *page) signUp(name, email, password string) {
	p.t.Helper()
	p.open("/signup")
	p.fillRole("form", "Name", name)
	p.fillRole("form", "Email", email)
	p.fillRole("form", "Password", password)
	p.clickRole("button", "Sign up")
	p.waitFor("the task list", `location.pathname === "/" && !!document.getElementById("new-task")`)
}

// screenshot saves a PNG of the page when a test fails, to see what went wrong.
func (p *page) screenshotOnFailure() {
	browsertest.ScreenshotOnFailure(p.t, p.ctx, strings.NewReplacer("/", "_", " ", "_").Replace(p.t.Name())+".png")
}

// grant gives the tab's site the permissions (by their names in the Permissions API:
// clipboard-read, notifications, push), as the user would by answering the browser's prompt.
func (p *page) grant(names ...string) {
	p.t.Helper()
	p.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		for _, name := range names {
			_, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
				Permission: &browser.PermissionDescriptor{Name: name, UserVisibleOnly: name == "push"},
				Setting:    browser.PermissionSettingGranted, Origin: p.base, BrowserContextID: chromedp.FromContext(ctx).BrowserContextID})
			if err != nil {
				return err
			}
		}
		return nil
	}))
}

// heldRequests are the tab's requests for one address, paused until the test releases them.
type heldRequests struct {
	p      *page
	paused chan fetch.RequestID
}

// hold pauses, from now on, the tab's requests for path.
func (p *page) hold(path string) *heldRequests {
	p.t.Helper()
	h := &heldRequests{p: p, paused: make(chan fetch.RequestID, 16)}
	ctx, stop := context.WithCancel(p.ctx)
	p.t.Cleanup(stop)
	err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*fetch.EventRequestPaused); ok {
			select {
			case h.paused <- e.RequestID:
			default: // more than the test waits for; next never sees it
			}
		}
	})
	if err != nil {
		p.t.Fatalf("browser: %v", err)
	}
	pattern := strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`).Replace(p.base + path)
	p.do(browsertest.Call(fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: pattern}}}))
	return h
}

// next waits for the next request to be held.
func (h *heldRequests) next() fetch.RequestID {
	h.p.t.Helper()
	select {
	case id := <-h.paused:
		return id
	case <-time.After(stepTimeout):
		h.p.t.Fatalf("no request was held in %v", stepTimeout)
		return ""
	}
}

// release lets the held request go on. The page may have given it up meanwhile, which makes
// the browser refuse to continue it; that is no failure.
func (h *heldRequests) release(id fetch.RequestID) {
	h.p.t.Helper()
	ctx, cancel := context.WithTimeout(h.p.ctx, stepTimeout)
	defer cancel()
	err := chromedp.Do(ctx, browsertest.Call(fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: id}))
	h.p.t.Logf("release held request: %v", err)
}
