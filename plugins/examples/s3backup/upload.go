package main

import "fmt"

// readChunk is the most a host read (blob_read, repo_export) answers.
const readChunk = 1 << 20

// source reads an object by chunks: up to n bytes from offset; an empty
// answer means the end.
type source func(offset, n int) ([]byte, error)

// fill appends to buf what src has from offset, up to cap(buf) bytes,
// reading at most readChunk at a time; it returns fewer only at the end.
func fill(buf []byte, src source, offset int) ([]byte, error) {
	for len(buf) < cap(buf) {
		b, err := src(offset+len(buf), min(readChunk, cap(buf)-len(buf)))
		if err != nil {
			return buf, err
		}
		if len(b) == 0 {
			break
		}
		buf = append(buf, b...)
	}
	return buf, nil
}

// upload copies the object src reads to key, holding at most one part in
// memory: an object smaller than a part goes up in one PUT, a larger one
// with a multipart upload (aborted if a step fails). It returns the size.
func (c *client) upload(key, contentType string, src source, partSize int) (int64, error) {
	buf, err := fill(make([]byte, 0, partSize), src, 0)
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", key, err)
	}
	if len(buf) < partSize {
		return int64(len(buf)), c.putObject(key, contentType, buf)
	}
	id, err := c.createMultipart(key, contentType)
	if err != nil {
		return 0, err
	}
	size, err := c.uploadParts(key, id, buf, src)
	if err != nil {
		if aerr := c.abortMultipart(key, id); aerr != nil {
			err = fmt.Errorf("%w (and aborting the upload: %v)", err, aerr)
		}
		return 0, err
	}
	return size, nil
}

// uploadParts sends first and the rest of src as parts, then completes.
func (c *client) uploadParts(key, id string, first []byte, src source) (int64, error) {
	var etags []string
	buf, size := first, int64(0)
	for len(buf) > 0 {
		etag, err := c.uploadPart(key, id, len(etags)+1, buf)
		if err != nil {
			return 0, err
		}
		etags = append(etags, etag)
		size += int64(len(buf))
		if buf, err = fill(buf[:0], src, int(size)); err != nil {
			return 0, fmt.Errorf("read %s: %w", key, err)
		}
	}
	return size, c.completeMultipart(key, id, etags)
}
