package io.dhamana.examples.web;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The hand-written JSON and parameter parsing the command center's server relies on. */
class CommandCenterJsonTest {

    @Test
    void writesNestedValuesInOrder() {
        Object value = Json.obj("seat", "A-7", "ok", true, "n", 42L, "rate", 1.5, "none", null,
                "list", List.of(1, "two"), "state", Thread.State.NEW);
        assertThat(Json.write(value))
                .isEqualTo("{\"seat\":\"A-7\",\"ok\":true,\"n\":42,\"rate\":1.500,\"none\":null,"
                        + "\"list\":[1,\"two\"],\"state\":\"NEW\"}");
    }

    @Test
    void escapesQuotesControlCharactersAndMarkup() {
        assertThat(Json.write("a\"b\\c\nd\te\u0001</script>&\u2028"))
                .isEqualTo("\"a\\\"b\\\\c\\nd\\te\\u0001\\u003c/script\\u003e\\u0026\\u2028\"");
    }

    @Test
    void nonFiniteNumbersBecomeNull() {
        assertThat(Json.write(Arrays.asList(Double.NaN, Double.POSITIVE_INFINITY))).isEqualTo("[null,null]");
    }

    @Test
    void refusesTypesItDoesNotKnow() {
        assertThatThrownBy(() -> Json.write(new Object())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void parsesFormsStrictly() {
        Params p = Params.parse("seat=A-7&buyers=%36%30", Set.of("seat", "buyers"));
        assertThat(p.required("seat")).isEqualTo("A-7");
        assertThat(p.integer("buyers", 1, 60)).isEqualTo(60);

        assertThatThrownBy(() -> Params.parse("seat=A-7&seat=A-8", Set.of("seat")))
                .isInstanceOf(ApiError.class).hasMessage("seat is given more than once");
        assertThatThrownBy(() -> Params.parse("who=me", Set.of("seat")))
                .isInstanceOf(ApiError.class).hasMessage("unknown parameter 'who'; this endpoint takes seat");
        assertThatThrownBy(() -> Params.parse("seat=%E2%28", Set.of("seat")))
                .isInstanceOf(ApiError.class).hasMessage("seat holds control characters or malformed UTF-8");
        assertThatThrownBy(() -> Params.parse("seat=A-1%00", Set.of("seat")))
                .isInstanceOf(ApiError.class).hasMessage("seat holds control characters or malformed UTF-8");
        assertThatThrownBy(() -> Params.parse("seat=" + "x".repeat(65), Set.of("seat")))
                .isInstanceOf(ApiError.class).hasMessageContaining("too long");
        assertThatThrownBy(() -> Params.parse("a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&i=9", Set.of("a")))
                .isInstanceOf(ApiError.class).hasMessageContaining("too many");
    }

    @Test
    void numbersAreWholeAndInRange() {
        Map<String, String> bad = Map.of(
                "n=", "n is required",
                "n=1.5", "n must be a whole number from 1 to 64, was '1.5'",
                "n=%2B3", "n must be a whole number from 1 to 64, was '+3'",
                "n=65", "n must be from 1 to 64, was 65",
                "n=0", "n must be from 1 to 64, was 0");
        bad.forEach((form, message) -> assertThatThrownBy(() -> Params.parse(form, Set.of("n")).integer("n", 1, 64))
                .as(form).isInstanceOf(ApiError.class).hasMessage(message));
        assertThatThrownBy(() -> Params.parse("n=0", Set.of("n")).integer("n", 1, 64))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status()).isEqualTo(400));
    }
}
