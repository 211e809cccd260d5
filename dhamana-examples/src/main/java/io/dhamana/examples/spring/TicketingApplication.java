package io.dhamana.examples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/**
 * The SDK in a Spring Boot service: a {@link io.dhamana.TicketingClient} built from {@code application.yml}
 * ({@link TicketingProperties}), its metrics at {@code /actuator/metrics} (with the pool's, on PostgreSQL), the
 * store's health at {@code /actuator/health}, and a small REST API to verify fans and hold, confirm and release.
 *
 * <pre>
 * mvn -q -pl dhamana-examples -am test-compile exec:java \
 *     -Dexec.mainClass=io.dhamana.examples.spring.TicketingApplication
 * </pre>
 *
 * On PostgreSQL add {@code -Dexec.args="--dhamana.store=postgresql
 * --dhamana.postgres.jdbc-url=jdbc:postgresql://localhost:5432/postgres --dhamana.postgres.user=postgres
 * --dhamana.postgres.password=..."}, or set them in {@code application.yml}.
 */
@SpringBootApplication
@EnableConfigurationProperties(TicketingProperties.class)
public class TicketingApplication {

    /**
     * Starts the service.
     *
     * @param args Spring Boot's usual {@code --name=value} arguments
     */
    public static void main(String[] args) {
        SpringApplication.run(TicketingApplication.class, args);
    }
}
