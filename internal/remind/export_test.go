package remind

// WithoutObserver leaves out the service's observer of saved task changes, as a process does
// that dies between a task's save and that observer.
func WithoutObserver(c *Config) { c.withoutObserver = true }
