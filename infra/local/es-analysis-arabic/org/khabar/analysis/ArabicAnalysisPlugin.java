/*
 * khabar: Arabic analysis for the local Elasticsearch.
 *
 * The Elasticsearch 8 distribution on Maven Central (org.elasticsearch.distribution.integ-test-zip) is the real
 * server, but it ships without the analysis-common module, which is where Elasticsearch registers its language
 * analyzers. This plugin registers the same names with the same Lucene classes that analysis-common uses
 * (org.apache.lucene.analysis.ar, from the lucene-analysis-common jar inside the distribution), so index templates
 * written for any Elasticsearch 8 cluster work unchanged on the local one:
 *
 *   analyzer     arabic                 ArabicAnalyzer (stopwords / stem_exclusion settings as in Elasticsearch)
 *   token filter arabic_normalization   ArabicNormalizationFilter (also usable in normalizers)
 *   token filter arabic_stem            ArabicStemFilter
 *   token filter decimal_digit          DecimalDigitFilter (Arabic-Indic digits to ASCII)
 *   char filter  mapping                MappingCharFilter ("a => b" rules in `mappings`; also usable in normalizers;
 *                                       unlike analysis-common, no escape sequences: the rules are taken literally)
 */
package org.khabar.analysis;

import java.io.Reader;
import java.util.List;
import java.util.Map;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.ar.ArabicAnalyzer;
import org.apache.lucene.analysis.ar.ArabicNormalizationFilter;
import org.apache.lucene.analysis.ar.ArabicStemFilter;
import org.apache.lucene.analysis.charfilter.MappingCharFilter;
import org.apache.lucene.analysis.charfilter.NormalizeCharMap;
import org.apache.lucene.analysis.core.DecimalDigitFilter;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractCharFilterFactory;
import org.elasticsearch.index.analysis.AbstractIndexAnalyzerProvider;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;
import org.elasticsearch.index.analysis.Analysis;
import org.elasticsearch.index.analysis.AnalyzerProvider;
import org.elasticsearch.index.analysis.CharFilterFactory;
import org.elasticsearch.index.analysis.NormalizingCharFilterFactory;
import org.elasticsearch.index.analysis.NormalizingTokenFilterFactory;
import org.elasticsearch.index.analysis.PreBuiltAnalyzerProviderFactory;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.indices.analysis.PreBuiltCacheFactory.CachingStrategy;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;

public final class ArabicAnalysisPlugin extends Plugin implements AnalysisPlugin {

    @Override
    public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
        return Map.of(
            "arabic_normalization", (IndexSettings index, Environment env, String name, Settings settings) ->
                new NormalizationFactory(name, settings),
            "arabic_stem", (IndexSettings index, Environment env, String name, Settings settings) ->
                new StemFactory(name, settings),
            "decimal_digit", (IndexSettings index, Environment env, String name, Settings settings) ->
                new DecimalDigitFactory(name, settings));
    }

    @Override
    public Map<String, AnalysisProvider<CharFilterFactory>> getCharFilters() {
        // Built only where an index defines one (with its rules), as analysis-common registers it.
        return Map.of("mapping", AnalysisPlugin.requiresAnalysisSettings(
            (IndexSettings index, Environment env, String name, Settings settings) -> new MappingFactory(env, name, settings)));
    }

    @Override
    public Map<String, AnalysisProvider<AnalyzerProvider<? extends Analyzer>>> getAnalyzers() {
        return Map.of("arabic", (IndexSettings index, Environment env, String name, Settings settings) ->
            new ArabicProvider(env, name, settings));
    }

    @Override
    public List<PreBuiltAnalyzerProviderFactory> getPreBuiltAnalyzerProviderFactories() {
        return List.of(new PreBuiltAnalyzerProviderFactory("arabic", CachingStrategy.LUCENE, ArabicAnalyzer::new));
    }

    static final class ArabicProvider extends AbstractIndexAnalyzerProvider<ArabicAnalyzer> {
        private final ArabicAnalyzer analyzer;

        ArabicProvider(Environment env, String name, Settings settings) {
            super(name, settings);
            analyzer = new ArabicAnalyzer(
                Analysis.parseStopWords(env, settings, ArabicAnalyzer.getDefaultStopSet()),
                Analysis.parseStemExclusion(settings, CharArraySet.EMPTY_SET));
        }

        @Override
        public ArabicAnalyzer get() {
            return analyzer;
        }
    }

    static final class MappingFactory extends AbstractCharFilterFactory implements NormalizingCharFilterFactory {
        private final NormalizeCharMap map;

        MappingFactory(Environment env, String name, Settings settings) {
            super(name);
            List<String> rules = Analysis.getWordList(env, settings, "mappings");
            if (rules == null || rules.isEmpty()) {
                throw new IllegalArgumentException("char filter [" + name + "] of type mapping needs `mappings`");
            }
            NormalizeCharMap.Builder builder = new NormalizeCharMap.Builder();
            for (String rule : rules) {
                int arrow = rule.indexOf("=>");
                String from = arrow < 0 ? "" : rule.substring(0, arrow).trim();
                if (from.isEmpty()) {
                    throw new IllegalArgumentException("char filter [" + name + "]: invalid mapping rule [" + rule + "]");
                }
                builder.add(from, rule.substring(arrow + 2).trim());
            }
            map = builder.build();
        }

        @Override
        public Reader create(Reader reader) {
            return new MappingCharFilter(map, reader);
        }
    }

    static final class NormalizationFactory extends AbstractTokenFilterFactory implements NormalizingTokenFilterFactory {
        NormalizationFactory(String name, Settings settings) {
            super(name, settings);
        }

        @Override
        public TokenStream create(TokenStream stream) {
            return new ArabicNormalizationFilter(stream);
        }
    }

    static final class StemFactory extends AbstractTokenFilterFactory {
        StemFactory(String name, Settings settings) {
            super(name, settings);
        }

        @Override
        public TokenStream create(TokenStream stream) {
            return new ArabicStemFilter(stream);
        }
    }

    static final class DecimalDigitFactory extends AbstractTokenFilterFactory implements NormalizingTokenFilterFactory {
        DecimalDigitFactory(String name, Settings settings) {
            super(name, settings);
        }

        @Override
        public TokenStream create(TokenStream stream) {
            return new DecimalDigitFilter(stream);
        }
    }
}
