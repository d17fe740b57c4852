package config_test

import (
	"strings"
	"testing"
	"time"

	"todo/internal/auth"
)

func TestAccountEmailSettings(t *testing.T) {
	production := map[string]string{"APP_ENV": "production", "BETTER_AUTH_SECRET": strings.Repeat("s", 32), "BETTER_AUTH_URL": "https://todo.example.com"}
	with := func(base map[string]string, kv ...string) map[string]string {
		env := map[string]string{}
		for k, v := range base {
			env[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			env[kv[i]] = kv[i+1]
		}
		return env
	}
	for _, tt := range []struct {
		name string
		env  map[string]string
		want auth.EmailOptions
	}{
		{"defaults, Better Auth's", nil, auth.EmailOptions{ResetPasswordTokenExpiresIn: time.Hour, VerificationExpiresIn: time.Hour}},
		{"sign-up sends the link when sign-in needs it", with(nil, "REQUIRE_EMAIL_VERIFICATION", "true"),
			auth.EmailOptions{ResetPasswordTokenExpiresIn: time.Hour, VerificationExpiresIn: time.Hour, RequireEmailVerification: true, SendOnSignUp: true}},
		{"unless told not to", with(nil, "REQUIRE_EMAIL_VERIFICATION", "true", "SEND_VERIFICATION_EMAIL_ON_SIGN_UP", "false"),
			auth.EmailOptions{ResetPasswordTokenExpiresIn: time.Hour, VerificationExpiresIn: time.Hour, RequireEmailVerification: true}},
		{"every setting", with(nil, "RESET_PASSWORD_TOKEN_EXPIRES_IN", "15m", "EMAIL_VERIFICATION_EXPIRES_IN", "86400",
			"REVOKE_SESSIONS_ON_PASSWORD_RESET", "yes", "SEND_VERIFICATION_EMAIL_ON_SIGN_UP", "true", "SEND_VERIFICATION_EMAIL_ON_SIGN_IN", "1",
			"CHANGE_EMAIL_ENABLED", "on"),
			auth.EmailOptions{ResetPasswordTokenExpiresIn: 15 * time.Minute, VerificationExpiresIn: 24 * time.Hour, RevokeSessionsOnPasswordReset: true,
				SendOnSignUp: true, SendOnSignIn: true, ChangeEmail: true}},
		{"production with SMTP_URL may require verification", with(production, "REQUIRE_EMAIL_VERIFICATION", "true",
			"SMTP_URL", "smtp://u:p@mail.example.com", "MAIL_FROM", "todo@example.com"),
			auth.EmailOptions{ResetPasswordTokenExpiresIn: time.Hour, VerificationExpiresIn: time.Hour, RequireEmailVerification: true, SendOnSignUp: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := load(t, tt.env)
			if err != nil {
				t.Fatal(err)
			}
			if c.Email != tt.want {
				t.Errorf("got %+v\nwant %+v", c.Email, tt.want)
			}
		})
	}
	for _, tt := range []struct {
		variable string
		env      map[string]string
	}{
		{"RESET_PASSWORD_TOKEN_EXPIRES_IN", with(nil, "RESET_PASSWORD_TOKEN_EXPIRES_IN", "0s")},
		{"EMAIL_VERIFICATION_EXPIRES_IN", with(nil, "EMAIL_VERIFICATION_EXPIRES_IN", "soon")},
		{"CHANGE_EMAIL_ENABLED", with(nil, "CHANGE_EMAIL_ENABLED", "maybe")},
		// Nobody could ever sign in: no mail, no verified address.
		{"REQUIRE_EMAIL_VERIFICATION", with(production, "REQUIRE_EMAIL_VERIFICATION", "true")},
	} {
		t.Run(tt.variable, func(t *testing.T) {
			if _, err := load(t, tt.env); err == nil || !strings.HasPrefix(err.Error(), tt.variable+" ") {
				t.Errorf("got %v, want an error about %s", err, tt.variable)
			}
		})
	}
}
