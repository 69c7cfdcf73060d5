import { defineScreen } from '../../../web-kit/elements';
import { QuizBuilder } from './parts/quiz-builder';

defineScreen('lms-quiz-builder', QuizBuilder);
