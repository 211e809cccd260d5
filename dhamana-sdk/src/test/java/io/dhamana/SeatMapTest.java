package io.dhamana;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Row names run A..Z then AA..ZZ, the same in {@link SeatMap#rowName} and {@link SeatMap#grid}, and stop there. */
class SeatMapTest {

    @Test
    void rowNamesRunFromAToZz() {
        assertThat(SeatMap.rowName(0)).isEqualTo("A");
        assertThat(SeatMap.rowName(25)).isEqualTo("Z");
        assertThat(SeatMap.rowName(26)).isEqualTo("AA");
        assertThat(SeatMap.rowName(27)).isEqualTo("AB");
        assertThat(SeatMap.rowName(51)).isEqualTo("AZ");
        assertThat(SeatMap.rowName(52)).isEqualTo("BA");
        assertThat(SeatMap.rowName(701)).isEqualTo("ZZ");
        List<String> all = IntStream.range(0, 702).mapToObj(SeatMap::rowName).toList();
        assertThat(new HashSet<>(all)).hasSize(702);
        assertThat(all).allSatisfy(name -> assertThat(name).matches("[A-Z]{1,2}"));
    }

    @Test
    void theGridNamesItsRowsAsRowNameDoes() {
        List<SeatId> seats = SeatMap.grid(702, 2);
        assertThat(seats).hasSize(1_404);
        assertThat(seats.get(0)).isEqualTo(SeatId.of("A-1"));
        assertThat(seats.get(2 * 30 + 1)).isEqualTo(SeatId.of(SeatMap.rowName(30) + "-2"));
        assertThat(seats.get(1_403)).isEqualTo(SeatId.of("ZZ-2"));
    }

    @Test
    void anIndexOutsideTheRowsIsRefusedWithTheRangeInTheMessage() {
        assertThatThrownBy(() -> SeatMap.rowName(-1)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("index").hasMessageContaining("between 0 and 701, was -1");
        assertThatThrownBy(() -> SeatMap.rowName(702)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("between 0 and 701, was 702");
        assertThatThrownBy(() -> SeatMap.grid(703, 1)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("rows");
    }
}
