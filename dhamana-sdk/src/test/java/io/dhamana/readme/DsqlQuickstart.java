package io.dhamana.readme;

import io.dhamana.TicketingClient;
import io.dhamana.dsql.DsqlRouting;
import io.dhamana.dsql.DsqlStore;

public class DsqlQuickstart {
    public static void main(String[] args) {
        DsqlStore store = DsqlStore.builder()
                .endpoint("abc0def1baz2quux3quuux4.dsql.us-east-1.on.aws", "us-east-1")   // active-active:
                .endpoint("foo0bar1baz2quux3quuxquux5.dsql.us-east-2.on.aws", "us-east-2")  // one or more Regions
                .routing(DsqlRouting.home("us-east-1"))                                   // or DsqlRouting.spread()
                .build();        // IAM tokens per connection (admin by default), TLS verify-full, random keys
        try (TicketingClient client = TicketingClient.builder().ownedStore(store).build()) {
            System.out.println(client.config().store().description());
        }
    }
}
