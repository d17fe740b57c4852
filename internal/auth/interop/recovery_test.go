package interop_test

import (
	"bufio"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // the "sqlite" database/sql driver

	"todo/internal/apptest"
	"todo/internal/database"
)

// baMail is a mail Better Auth asked the harness to send (interop/config.mjs, MAIL_FILE).
type baMail struct {
	Kind, To, URL, Token string
}

// baMails are the mails to the address in the harness's file, oldest first.
func baMails(t *testing.T, file, to string) []baMail {
	t.Helper()
	f, err := os.Open(file)
	if os.IsNotExist(err) {
		return nil
	} else if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []baMail
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m baMail
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("mail file line %q: %v", sc.Text(), err)
		}
		if strings.EqualFold(m.To, to) {
			out = append(out, m)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// lastBAMail is the newest mail Better Auth sent the address.
func lastBAMail(t *testing.T, file, to string) baMail {
	t.Helper()
	m := baMails(t, file, to)
	if len(m) == 0 {
		t.Fatalf("Better Auth sent no mail to %s", to)
	}
	return m[len(m)-1]
}

// ourLink is the link into the auth API of our newest mail to the address.
func ourLink(t *testing.T, ours *apptest.Server, to string) *url.URL {
	t.Helper()
	mails := ours.Mails(t, to)
	if len(mails) == 0 {
		t.Fatalf("we sent no mail to %s", to)
	}
	found := regexp.MustCompile(regexp.QuoteMeta(ours.URL+"/api/auth/") + `\S+`).FindString(mails[len(mails)-1].Text)
	u, err := url.Parse(found)
	if err != nil || found == "" {
		t.Fatalf("no link in our mail:\n%s", mails[len(mails)-1].Text)
	}
	return u
}

// onServer is the link u, opened on the server at base instead: the path and query are the
// same on both sides, only the host differs.
func onServer(t *testing.T, base, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return base + u.RequestURI()
}

// emailVerified reads the user's emailVerified from the shared database.
func emailVerified(t *testing.T, dbURL, email string) bool {
	t.Helper()
	u, err := database.ParseURL(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	driver, dsn, query := "pgx", u.DSN, `SELECT "emailVerified" FROM "user" WHERE "email" = $1`
	if u.Dialect == database.SQLite {
		driver, dsn, query = "sqlite", "file:"+u.Path+"?_pragma=busy_timeout(10000)", `SELECT "emailVerified" FROM "user" WHERE "email" = ?`
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var verified bool
	if err := db.QueryRow(query, email).Scan(&verified); err != nil {
		t.Fatalf("user %s: %v", email, err)
	}
	return verified
}

const newPassword = "a new passphrase, from the other side"

// TestRecoveryInterop runs the real Better Auth and our server on one database and one secret:
// a reset requested on one side is completed on the other, a verification or change-of-address
// link made by one works on the other, and both answer the same requests alike.
func TestRecoveryInterop(t *testing.T) {
	harness(t)
	apptest.ForEachDialect(t, func(t *testing.T, dialect database.Dialect) {
		t.Parallel()
		dbURL := apptest.DatabaseURL(t, dialect)
		ours := apptest.Start(t, dialect, map[string]string{"DATABASE_URL": dbURL, "CHANGE_EMAIL_ENABLED": "true"})
		mailFile := filepath.Join(t.TempDir(), "better-auth-mail.jsonl")
		ba := startBetterAuth(t, dbURL, "MAIL_FILE="+mailFile)
		email := func(who string) string { return who + ".recovery." + string(dialect) + "@example.com" }

		t.Run("ResetRequestedOnBetterAuthCompletedHere", func(t *testing.T) {
			addr := email("reset.ba.to.us")
			signUp(t, ba.URL, addr)
			r := call(t, "POST", ba.URL+"/api/auth/request-password-reset", fmt.Sprintf(`{"email":%q,"redirectTo":"/reset-password"}`, addr)).want(t, 200)
			m := lastBAMail(t, mailFile, addr)
			if m.Kind != "reset-password" || m.URL != ba.URL+"/api/auth/reset-password/"+m.Token+"?callbackURL=%2Freset-password" {
				t.Fatalf("Better Auth's reset mail: %+v", m)
			}
			ourAnswer := call(t, "POST", ours.URL+"/api/auth/request-password-reset", `{"email":"nobody@example.com","redirectTo":"/reset-password"}`).want(t, 200)
			if string(r.body) != string(ourAnswer.body) {
				t.Errorf("request-password-reset answers differ: Better Auth %s, ours %s", r.body, ourAnswer.body)
			}
			// Better Auth's link, opened here, leads to our form with the token.
			r = call(t, "GET", onServer(t, ours.URL, m.URL), "").want(t, 302)
			if got := r.header.Get("Location"); got != ours.URL+"/reset-password?token="+m.Token {
				t.Fatalf("Better Auth's link on our server leads to %q", got)
			}
			call(t, "POST", ours.URL+"/api/auth/reset-password", fmt.Sprintf(`{"newPassword":%q,"token":%q}`, newPassword, m.Token)).want(t, 200)
			call(t, "POST", ba.URL+"/api/auth/sign-in/email", fmt.Sprintf(`{"email":%q,"password":%q}`, addr, newPassword)).want(t, 200)
			call(t, "POST", ba.URL+"/api/auth/sign-in/email", fmt.Sprintf(`{"email":%q,"password":%q}`, addr, password)).want(t, 401)
			// The token is spent for Better Auth too.
			r = call(t, "POST", ba.URL+"/api/auth/reset-password", fmt.Sprintf(`{"newPassword":"yet another passphrase","token":%q}`, m.Token)).want(t, 400)
			if !strings.Contains(string(r.body), `"INVALID_TOKEN"`) {
				t.Errorf("Better Auth on the spent token: %s", r.body)
			}
		})

		t.Run("ResetRequestedHereCompletedOnBetterAuth", func(t *testing.T) {
			addr := email("reset.us.to.ba")
			signUp(t, ours.URL, addr)
			call(t, "POST", ours.URL+"/api/auth/request-password-reset", fmt.Sprintf(`{"email":%q,"redirectTo":"/reset-password"}`, addr)).want(t, 200)
			link := ourLink(t, ours, addr)
			token := strings.TrimPrefix(link.Path, "/api/auth/reset-password/")
			r := call(t, "GET", onServer(t, ba.URL, link.String()), "").want(t, 302)
			if got := r.header.Get("Location"); got != ba.URL+"/reset-password?token="+token {
				t.Fatalf("our link on Better Auth leads to %q", got)
			}
			call(t, "POST", ba.URL+"/api/auth/reset-password", fmt.Sprintf(`{"newPassword":%q,"token":%q}`, newPassword, token)).want(t, 200)
			signInWith(t, ours.URL, addr, newPassword).want(t, 200)
			signInWith(t, ours.URL, addr, password).want(t, 401)
			call(t, "POST", ours.URL+"/api/auth/reset-password", fmt.Sprintf(`{"newPassword":"yet another passphrase","token":%q}`, token)).want(t, 400)
		})

		t.Run("VerificationLinksCrossOver", func(t *testing.T) {
			fromBA := email("verify.ba.to.us")
			signUp(t, ba.URL, fromBA)
			call(t, "POST", ba.URL+"/api/auth/send-verification-email", fmt.Sprintf(`{"email":%q,"callbackURL":"/email-verified"}`, fromBA)).want(t, 200)
			m := lastBAMail(t, mailFile, fromBA)
			r := call(t, "GET", onServer(t, ours.URL, m.URL), "").want(t, 302)
			if r.header.Get("Location") != "/email-verified" || !emailVerified(t, dbURL, fromBA) {
				t.Errorf("Better Auth's verification link on our server: Location %q, verified %v", r.header.Get("Location"), emailVerified(t, dbURL, fromBA))
			}

			fromUs := email("verify.us.to.ba")
			_, cookie := signUp(t, ours.URL, fromUs)
			call(t, "POST", ours.URL+"/api/auth/send-verification-email", fmt.Sprintf(`{"email":%q,"callbackURL":"/email-verified"}`, fromUs),
				"Cookie", cookie, "Origin", ours.URL).want(t, 200)
			r = call(t, "GET", onServer(t, ba.URL, ourLink(t, ours, fromUs).String()), "").want(t, 302)
			if r.header.Get("Location") != "/email-verified" || !emailVerified(t, dbURL, fromUs) {
				t.Errorf("our verification link on Better Auth: Location %q, verified %v", r.header.Get("Location"), emailVerified(t, dbURL, fromUs))
			}
			if s := getSession(t, ba.URL, cookie); !strings.Contains(s, `"emailVerified":true`) {
				t.Errorf("Better Auth's get-session after our link: %s", s)
			}
		})

		t.Run("ChangeOfAddressCrossOver", func(t *testing.T) {
			for _, side := range []struct{ name, asker, opener string }{
				{"asked of Better Auth, opened here", ba.URL, ours.URL},
				{"asked here, opened on Better Auth", ours.URL, ba.URL},
			} {
				tag := map[bool]string{true: "ba", false: "us"}[side.asker == ba.URL]
				old, next := email("change.old."+tag), email("change.new."+tag)
				_, cookie := signUp(t, side.asker, old)
				call(t, "POST", side.asker+"/api/auth/change-email", fmt.Sprintf(`{"newEmail":%q,"callbackURL":"/email-verified"}`, next),
					"Cookie", cookie, "Origin", side.asker).want(t, 200)
				var link string
				if side.asker == ba.URL {
					link = lastBAMail(t, mailFile, next).URL
				} else {
					link = ourLink(t, ours, next).String()
				}
				r := call(t, "GET", onServer(t, side.opener, link), "", "Cookie", cookie).want(t, 302)
				if s := getSession(t, side.asker, cookie); r.header.Get("Location") != "/email-verified" || !strings.Contains(s, `"email":"`+next+`"`) {
					t.Errorf("%s: Location %q, the asker's get-session %s; want the new address", side.name, r.header.Get("Location"), s)
				}
			}
		})

		t.Run("SameAnswers", func(t *testing.T) { testRecoveryAnswers(t, ba.URL, ours.URL, dialect) })
	})
}

func signInWith(t *testing.T, base, email, pw string) response {
	t.Helper()
	return call(t, "POST", base+"/api/auth/sign-in/email", fmt.Sprintf(`{"email":%q,"password":%q}`, email, pw))
}

// expiredEmailToken is a verification token as Better Auth signs it, expired an hour ago.
func expiredEmailToken(email string) string {
	now := time.Now().Unix()
	enc := base64.RawURLEncoding.EncodeToString
	input := enc([]byte(`{"alg":"HS256"}`)) + "." +
		enc([]byte(`{"email":"`+email+`","iat":`+strconv.FormatInt(now-7200, 10)+`,"exp":`+strconv.FormatInt(now-3600, 10)+`}`))
	mac := hmac.New(sha256.New, []byte(apptest.Secret))
	mac.Write([]byte(input))
	return input + "." + enc(mac.Sum(nil))
}

// testRecoveryAnswers sends the same requests of the recovery endpoints to Better Auth and to
// us and compares what a client sees, each side's own base URL written as <base>.
func testRecoveryAnswers(t *testing.T, baURL, ourURL string, dialect database.Dialect) {
	userEmail := "recovery.answers." + string(dialect) + "@example.com"
	_, cookie := signUp(t, ourURL, userEmail)
	withSession := []string{"Cookie", cookie, "Origin", "$ORIGIN"}
	cases := []struct {
		name, method, path, body string
		headers                  []string
	}{
		{"request reset: unknown address", "POST", "/request-password-reset", `{"email":"nobody@example.com"}`, nil},
		{"request reset: invalid address", "POST", "/request-password-reset", `{"email":"nope"}`, nil},
		{"request reset: no fields", "POST", "/request-password-reset", `{}`, nil},
		{"request reset: array", "POST", "/request-password-reset", `[]`, nil},
		{"request reset: untrusted redirectTo", "POST", "/request-password-reset", `{"email":"a@example.com","redirectTo":"https://evil.example"}`, nil},
		{"request reset: redirectTo not a string", "POST", "/request-password-reset", `{"email":"a@example.com","redirectTo":5}`, nil},
		{"reset: no token", "POST", "/reset-password", `{"newPassword":"long enough password"}`, nil},
		{"reset: unknown token", "POST", "/reset-password", `{"newPassword":"long enough password","token":"nope"}`, nil},
		{"reset: unknown token in the query", "POST", "/reset-password?token=nope", `{"newPassword":"long enough password"}`, nil},
		{"reset: short password", "POST", "/reset-password", `{"newPassword":"short","token":"nope"}`, nil},
		{"reset: long password", "POST", "/reset-password", `{"newPassword":"` + strings.Repeat("x", 129) + `","token":"nope"}`, nil},
		{"reset: no newPassword", "POST", "/reset-password", `{"token":"x"}`, nil},
		{"reset: token not a string", "POST", "/reset-password", `{"newPassword":"long enough password","token":5}`, nil},
		{"reset link: unknown token", "GET", "/reset-password/nope?callbackURL=%2Freset-password", "", nil},
		{"reset link: callback with a query", "GET", "/reset-password/nope?callbackURL=%2Fr%3Fa%3Db%26error%3Dold", "", nil},
		{"reset link: absolute callback", "GET", "/reset-password/nope?callbackURL=$ORIGIN%2Fr", "", nil},
		{"reset link: empty callback", "GET", "/reset-password/nope?callbackURL=", "", nil},
		{"reset link: no callback", "GET", "/reset-password/nope", "", nil},
		{"reset link: two callbacks", "GET", "/reset-password/nope?callbackURL=%2Fa&callbackURL=%2Fb", "", nil},
		{"reset link: untrusted callback", "GET", "/reset-password/nope?callbackURL=https%3A%2F%2Fevil.example", "", nil},
		{"verify: no token", "GET", "/verify-email", "", nil},
		{"verify: bad token", "GET", "/verify-email?token=nope", "", nil},
		{"verify: bad token, callback", "GET", "/verify-email?token=nope&callbackURL=%2Fdone", "", nil},
		{"verify: bad token, callback with a query", "GET", "/verify-email?token=nope&callbackURL=%2Fdone%3Fx%3D1%23top", "", nil},
		{"verify: expired token", "GET", "/verify-email?token=" + expiredEmailToken(userEmail), "", nil},
		{"verify: expired token, callback", "GET", "/verify-email?callbackURL=%2Fdone&token=" + expiredEmailToken(userEmail), "", nil},
		{"verify: untrusted callback", "GET", "/verify-email?token=nope&callbackURL=https%3A%2F%2Fevil.example", "", nil},
		{"send verification: unknown address", "POST", "/send-verification-email", `{"email":"nobody@example.com"}`, nil},
		{"send verification: invalid address", "POST", "/send-verification-email", `{"email":"nope"}`, nil},
		{"send verification: untrusted callback", "POST", "/send-verification-email", `{"email":"a@example.com","callbackURL":"https://evil.example"}`, nil},
		{"send verification: another address", "POST", "/send-verification-email", `{"email":"nobody@example.com"}`, withSession},
		{"change email: no session", "POST", "/change-email", `{"newEmail":"x@example.com"}`, nil},
		{"change email: invalid address", "POST", "/change-email", `{"newEmail":"nope"}`, withSession},
		{"change email: the same address", "POST", "/change-email", `{"newEmail":"` + strings.ToUpper(userEmail) + `"}`, withSession},
		{"change email: no fields", "POST", "/change-email", `{}`, withSession},
	}
	for _, tc := range cases {
		var answers [2]string
		for i, base := range []string{baURL, ourURL} {
			headers := append([]string(nil), tc.headers...)
			for j := range headers {
				headers[j] = strings.ReplaceAll(headers[j], "$ORIGIN", base)
			}
			path := strings.ReplaceAll(tc.path, "$ORIGIN", url.QueryEscape(base))
			answers[i] = strings.ReplaceAll(describe(call(t, tc.method, base+"/api/auth"+path, tc.body, headers...)), base, "<base>")
		}
		if answers[0] != answers[1] {
			t.Errorf("%s: answers differ\nBetter Auth:\n%s\nours:\n%s", tc.name, answers[0], answers[1])
		}
	}
}
