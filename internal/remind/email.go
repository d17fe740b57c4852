package remind

import (
	htmltemplate "html/template"
	texttemplate "text/template"
)

// emailView is what a reminder's email says.
type emailView struct {
	Title, Due, Link, Settings string
}

var emailText = texttemplate.Must(texttemplate.New("text").Parse(`Reminder: {{.Title}}
{{.Due}}

Open the task: {{.Link}}

You get this email because email is one of your reminder channels. To change how you are
reminded (push, email, quiet hours, the default reminder), open your settings: {{.Settings}}
`))

var emailHTML = htmltemplate.Must(htmltemplate.New("html").Parse(`<!doctype html>
<html><body style="font-family: sans-serif; line-height: 1.5">
<p style="font-size: 1.2em"><strong>{{.Title}}</strong></p>
<p>{{.Due}}</p>
<p><a href="{{.Link}}">Open the task</a></p>
<p style="color: #555; font-size: 0.9em">You get this email because email is one of your reminder channels.
To change how you are reminded (push, email, quiet hours, the default reminder), open
<a href="{{.Settings}}">your settings</a>.</p>
</body></html>
`))
