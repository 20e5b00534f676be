/*  clip_analyze: one article in, the worker's part of its record out.
    See clip_analyze.h.  */
#include "clip_analyze.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clip_ner.h"
#include "clip_sketch.h"
#include "clip_text.h"
#include "clip_util.h"

/*  Titles longer than this are cut: a "first line" of megabytes is a file
    without line breaks, not a title.  */
#define TITLE_MAX_BYTES 512

struct clip_analyzer {
    char *worker_name;
    clip_ner_t *ner;            /* NULL: no entities */
    size_t max_entities;        /* at most this many per record */
};

clip_analyzer_t *
clip_analyzer_new (const char *data_dir, const char *worker_name, char *err, size_t err_size)
{
    clip_analyzer_t *self = clip_calloc (1, sizeof *self);
    self->worker_name = clip_strdup (worker_name ? worker_name : "unknown");
    self->max_entities = CLIP_ANALYZE_MAX_ENTITIES;
    if (data_dir) {
        self->ner = clip_ner_load (data_dir, err, err_size);
        if (!self->ner) {
            clip_analyzer_destroy (&self);
            return NULL;
        }
    }
    return self;
}

void
clip_analyzer_destroy (clip_analyzer_t **self_p)
{
    assert (self_p);
    clip_analyzer_t *self = *self_p;
    if (!self)
        return;
    clip_ner_destroy (&self->ner);
    free (self->worker_name);
    free (self);
    *self_p = NULL;
}

void
clip_analyzer_set_max_entities (clip_analyzer_t *self, size_t max)
{
    assert (self);
    self->max_entities = max;
}

clip_record_t *
clip_analyzer_run (clip_analyzer_t *self, const char *file, const void *data, size_t len,
                   void **sketch, size_t *sketch_len)
{
    clip_record_t *rec = clip_record_new ();
    clip_record_set (rec, &rec->file, file);
    clip_record_set (rec, &rec->worker, self->worker_name);
    rec->bytes = len;
    if (sketch) {
        *sketch = NULL;
        *sketch_len = 0;
    }
    if (clip_text_is_binary (data, len)) {
        clip_record_fail (rec, CLIP_ERROR_NOT_TEXT, "the file holds binary data, not text");
        return rec;
    }
    clip_text_t *text = clip_text_decode (data, len);
    size_t norm_len = 0;
    char *norm = clip_text_normalise (text->utf8, text->len, &norm_len);
    if (norm_len == 0) {
        clip_record_fail (rec, CLIP_ERROR_EMPTY, len ? "the file holds only white space"
                                                     : "the file is empty");
        free (norm);
        clip_text_destroy (&text);
        return rec;
    }
    char id [33];
    clip_text_digest (norm, norm_len, id);
    clip_record_set (rec, &rec->id, id);
    clip_record_set (rec, &rec->encoding, clip_encoding_name (text->encoding));
    char *title = clip_text_title (text, TITLE_MAX_BYTES);
    clip_record_set (rec, &rec->title, title);
    free (title);
    if (sketch)
        clip_sketch_compute (norm, norm_len, sketch, sketch_len);
    free (norm);
    if (self->ner) {
        clip_ner_entity_t *ents = NULL;
        size_t n = 0;
        bool truncated = false;
        /*  The first max_entities in text order; the record says when
            there were more.  */
        if (clip_ner_extract_max (self->ner, text->utf8, text->len, self->max_entities,
                                  &ents, &n, &truncated) == 0) {
            rec->entities_truncated = truncated;
            /*  Offsets into the file as received, not the decoded text.  */
            for (size_t i = 0; i < n; i++)
                clip_record_add_entity (rec, ents [i].type, ents [i].text, ents [i].canonical,
                                        clip_text_orig_offset (text, ents [i].start),
                                        clip_text_orig_offset (text, ents [i].end));
            clip_ner_entities_free (ents, n);
        }
    }
    clip_text_destroy (&text);
    return rec;
}
