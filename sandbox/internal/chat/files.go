package chat

// Add stores a file messages can attach and returns its metadata.
func (c *Files) Add(name, contentType string, content []byte) Attachment {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.addFileLocked(newUUID(), name, contentType, content, c.stamp())
}

// Get returns a stored file.
func (c *Files) Get(id string) (Attachment, []byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, ok := c.files[id]
	if !ok {
		return Attachment{}, nil, false
	}
	return f.meta, f.content, true
}
