package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"todo/internal/calendar"
)

// SetCalendar gives the API the calendar feeds that /api/v2/calendar makes and revokes.
func (a *API) SetCalendar(c *calendar.Service) { a.calendar = c }

type (
	// calendarInput is a request on the caller's feed; origin is the origin it came to, on
	// which a new feed's URL is made when the server's public URL is not set.
	calendarInput struct {
		origin string
	}
	calendarURLOutput struct {
		Body struct {
			URL string `json:"url" doc:"The feed's secret URL, shown only now; add ?kind=todo for to-dos instead of events" example:"https://todo.example.com/calendar/3q2-7wXYZ….ics"`
		}
	}
	calendarStatusOutput struct {
		Body struct {
			Exists    bool       `json:"exists" doc:"Whether you have a feed; its URL is shown only when it is made"`
			CreatedAt *time.Time `json:"created_at" doc:"When the feed's current URL was made; null without one"`
		}
	}
)

func (in *calendarInput) Resolve(ctx huma.Context) []error {
	scheme := "http"
	if ctx.TLS() != nil {
		scheme = "https"
	}
	in.origin = scheme + "://" + ctx.Host()
	return nil
}

// CreateCalendarFeed is POST /api/v2/calendar.
func (a *API) CreateCalendarFeed() Endpoint {
	op := a.v2Op("create-calendar-feed", "Make your calendar feed's URL, or a new one in place of the old", http.StatusOK)
	op.Description = "An iCalendar feed of your tasks with a due, for calendar apps to subscribe to. " +
		"The URL is its own credential and is shown only in this answer; asking again makes a new URL and the old one stops working."
	return endpoint(op, a.createCalendarFeed)
}

// GetCalendarFeed is GET /api/v2/calendar.
func (a *API) GetCalendarFeed() Endpoint {
	return endpoint(a.v2Op("get-calendar-feed", "Whether you have a calendar feed", http.StatusOK), a.getCalendarFeed)
}

// DeleteCalendarFeed is DELETE /api/v2/calendar.
func (a *API) DeleteCalendarFeed() Endpoint {
	return endpoint(a.v2Op("delete-calendar-feed", "Revoke your calendar feed: its URL stops working", http.StatusNoContent), a.deleteCalendarFeed)
}

func (a *API) createCalendarFeed(ctx context.Context, in *calendarInput) (*calendarURLOutput, error) {
	url, err := a.calendar.Rotate(ctx, userID(ctx), in.origin)
	if err != nil {
		return nil, a.problem(ctx, err, "", nil)
	}
	out := &calendarURLOutput{}
	out.Body.URL = url
	return out, nil
}

func (a *API) getCalendarFeed(ctx context.Context, _ *struct{}) (*calendarStatusOutput, error) {
	feed, ok, err := a.calendar.Status(ctx, userID(ctx))
	if err != nil {
		return nil, a.problem(ctx, err, "", nil)
	}
	out := &calendarStatusOutput{}
	if ok {
		out.Body.Exists, out.Body.CreatedAt = true, &feed.CreatedAt
	}
	return out, nil
}

func (a *API) deleteCalendarFeed(ctx context.Context, _ *struct{}) (*noContentOutput, error) {
	if err := a.calendar.Revoke(ctx, userID(ctx)); err != nil {
		return nil, a.problem(ctx, err, "", nil)
	}
	return &noContentOutput{}, nil
}
