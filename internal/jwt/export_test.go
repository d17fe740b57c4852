package jwt

// FetchInFlight returns a channel closed when the fetch of r's key set now under way has ended
// and its outcome is stored, or nil if none is under way. Tests wait on it to see a background
// refresh land without sleeping.
func FetchInFlight(r *RemoteKeys) <-chan struct{} {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.inFlight == nil {
		return nil
	}
	return r.inFlight.done
}
