/*  Tests for proto/clip_msgpack: the guarded walk's verdicts and its exact
    messages (peers and logs see them), and clip_msgpack_map_slots' key
    matching.  The messages are pinned here because the walk is tuned for
    speed (issue 12): a faster walk must still say the same thing.  */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "clip_msgpack.h"

/*  Check the bytes of a string literal (its NUL aside) with the cap, and
    expect message ("" for success).  */
#define EXPECT_CHECK(lit, cap, message) \
    expect_check ((lit), sizeof (lit) - 1, (cap), (message))

static void
expect_check (const char *data, size_t len, size_t cap, const char *message)
{
    char err [256] = "";
    int rc = clip_msgpack_check (data, len, cap, err, sizeof err);
    if (!*message) {
        cr_assert_eq (rc, 0, "refused: %s", err);
        return;
    }
    cr_assert_eq (rc, -1, "accepted, expected '%s'", message);
    cr_assert_str_eq (err, message);
}

Test (msgpack, check_accepts_one_whole_object)
{
    EXPECT_CHECK ("\x82\xa1" "a" "\x01\xa1" "b" "\xc0", 0, "");
    EXPECT_CHECK ("\xc7\x02\x01" "ab", 0, "");                 /* ext 8 */
    EXPECT_CHECK ("\x93\x01\x02\x03", 4, "");                  /* cap = objects */
}

Test (msgpack, check_names_a_body_longer_than_what_remains)
{
    EXPECT_CHECK ("\xa5" "abc", 0,
                  "truncated msgpack: a length of 5 bytes at offset 1, but only 3 bytes remain");
    EXPECT_CHECK ("\xd9\x05" "abc", 0,
                  "truncated msgpack: a length of 5 bytes at offset 2, but only 3 bytes remain");
    EXPECT_CHECK ("\xc7\x02\x01" "a", 0,
                  "truncated msgpack: a length of 3 bytes at offset 2, but only 2 bytes remain");
    EXPECT_CHECK ("\x92\xcd\x01", 0,
                  "truncated msgpack: a length of 2 bytes at offset 2, but only 1 bytes remain");
    EXPECT_CHECK ("\xdb\xff\xff\xff\xff", 0, "truncated msgpack: a length of 4294967295 bytes"
                  " at offset 5, but only 0 bytes remain");
    EXPECT_CHECK ("\xc9\xff\xff\xff\xff", 0, "truncated msgpack: a length of 4294967296 bytes"
                  " at offset 5, but only 0 bytes remain");
}

/*  Elements that cannot each have a byte, whether the header declares
    too many or a body that fits leaves too few bytes for the rest.  */
Test (msgpack, check_names_elements_beyond_what_remains)
{
    EXPECT_CHECK ("\x92\x01", 0,
                  "truncated msgpack: 2 elements declared at offset 1, but only 1 bytes remain");
    EXPECT_CHECK ("\x92\xa1" "a", 0,
                  "truncated msgpack: 1 elements declared at offset 3, but only 0 bytes remain");
    EXPECT_CHECK ("\x92\xcd\x01\x02", 0,
                  "truncated msgpack: 1 elements declared at offset 4, but only 0 bytes remain");
    EXPECT_CHECK ("\xde\x00\x02\x01\x02\x03", 0,
                  "truncated msgpack: 4 elements declared at offset 3, but only 3 bytes remain");
    EXPECT_CHECK ("\xdd\xff\xff\xff\xff", 0, "truncated msgpack: 4294967295 elements declared"
                  " at offset 5, but only 0 bytes remain");
}

Test (msgpack, check_refuses_other_framing)
{
    EXPECT_CHECK ("", 0, "empty input");
    EXPECT_CHECK ("\xd9", 0, "truncated msgpack: input ends at byte 1");
    EXPECT_CHECK ("\xc1", 0, "invalid msgpack: byte 0xc1 at offset 0");
    EXPECT_CHECK ("\x91\xa2" "ab" "\x01", 0, "trailing garbage: 1 bytes after the msgpack object");
    EXPECT_CHECK ("\x93\x01\x02\x03", 3, "too many msgpack objects: more than 3 in 4 bytes");
}

/*  Keys are matched whole: a first byte in common, an empty key, a key
    that is a name's prefix or starts with NUL match nothing else.  */
Test (msgpack, map_slots_matches_whole_keys)
{
    static const char map [] = "\x86"
        "\xa3" "end" "\x01"
        "\xa0" "\x02"
        "\xa2" "en" "\x03"
        "\xa4" "\x00" "end" "\x04"
        "\xa8" "entities" "\x05"
        "\xa5" "ended" "\x06";
    msgpack_unpacked u;
    char err [256] = "";
    cr_assert_eq (clip_msgpack_unpack (&u, map, sizeof map - 1, 0, err, sizeof err), 0, "%s", err);
    static const char *const names [] = { "entities", "end", "", "e" };
    const msgpack_object *slots [4];
    cr_assert_eq (clip_msgpack_map_slots (&u.data, names, 4, slots, NULL), 0);
    cr_assert (slots [0] && slots [0]->via.u64 == 5);
    cr_assert (slots [1] && slots [1]->via.u64 == 1);
    cr_assert (slots [2] && slots [2]->via.u64 == 2);
    cr_assert_null (slots [3]);
    msgpack_unpacked_destroy (&u);
}

Test (msgpack, map_slots_refuses_a_repeated_key)
{
    static const char map [] = "\x83" "\xa1" "a" "\x01" "\xa1" "b" "\x02" "\xa1" "b" "\x03";
    msgpack_unpacked u;
    char err [256] = "";
    cr_assert_eq (clip_msgpack_unpack (&u, map, sizeof map - 1, 0, err, sizeof err), 0, "%s", err);
    static const char *const names [] = { "a", "b" };
    const msgpack_object *slots [2];
    int repeated = -1;
    cr_assert_eq (clip_msgpack_map_slots (&u.data, names, 2, slots, &repeated), -1);
    cr_assert_eq (repeated, 1);
    msgpack_unpacked_destroy (&u);
}
